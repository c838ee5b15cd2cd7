package io.jvmm.machine.q35.fwcfg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jvmm.machine.q35.Q35MachineTypes;
import io.jvmm.machine.q35.testing.FakeHost;
import io.jvmm.machine.q35.testing.GuestCpu;
import io.jvmm.machine.q35.testing.RecordingState;
import io.jvmm.spi.config.Properties;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FwCfgTest {
    private final FakeHost host = new FakeHost(8 << 20, null);
    private final GuestCpu cpu = new GuestCpu(host);

    FwCfgTest() {
        Q35MachineTypes.ALL.get(0).create(host, Properties.of(Map.of()));
    }

    private byte[] read(int key, int n) {
        cpu.out(0x510, 2, key);
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) cpu.in(0x511, 1);
        }
        return b;
    }

    private long le(byte[] b) {
        return ByteBuffer.wrap(java.util.Arrays.copyOf(b, 8)).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    @Test
    void whatLibqosReads() {
        assertEquals("QEMU", new String(read(FwCfg.SIGNATURE, 4), StandardCharsets.US_ASCII));
        assertEquals(3, le(read(FwCfg.ID, 4)), "traditional + DMA, as QEMU 7.2");
        assertEquals(8 << 20, le(read(FwCfg.RAM_SIZE, 8)));
        assertEquals(1, le(read(FwCfg.NB_CPUS, 2)));
        byte[] past = read(FwCfg.SIGNATURE, 6);
        assertEquals(0, past[4], "reads past the item's end return 0");
        assertEquals(0, le(read(0x3ff, 4)), "an unknown key reads 0");
        cpu.out(0x510, 2, FwCfg.SIGNATURE);
        assertEquals(0xff51, cpu.in(0x511, 2), "a word read at 0x511 is the data byte plus unassigned 0xff, as QEMU");
    }

    private Map<String, long[]> directory() {
        byte[] count = read(FwCfg.FILE_DIR, 4);
        int n = ByteBuffer.wrap(count).getInt();
        byte[] all = read(FwCfg.FILE_DIR, 4 + 64 * n);
        ByteBuffer b = ByteBuffer.wrap(all, 4, 64 * n);
        Map<String, long[]> files = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            long size = b.getInt() & 0xffffffffL;
            int sel = b.getShort() & 0xffff;
            b.getShort();
            byte[] name = new byte[56];
            b.get(name);
            files.put(new String(name, StandardCharsets.US_ASCII).replace("\0", ""), new long[] {sel, size});
        }
        return files;
    }

    @Test
    void fileDirectoryListsE820WithQemusLayout() {
        Map<String, long[]> files = directory();
        assertEquals(java.util.List.of("bootorder", "etc/boot-fail-wait", "etc/e820"), java.util.List.copyOf(files.keySet()));
        long[] e820 = files.get("etc/e820");
        assertEquals(40, e820[1]);
        byte[] table = read((int) e820[0], 40);
        ByteBuffer b = ByteBuffer.wrap(table).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0xfd_0000_0000L, b.getLong());
        assertEquals(0x3_0000_0000L, b.getLong());
        assertEquals(2, b.getInt());
        assertEquals(0, b.getLong());
        assertEquals(8 << 20, b.getLong());
        assertEquals(1, b.getInt());
    }

    @Test
    void e820AboveTheLowMemorySplitIsQemus() {
        // QEMU 7.2, -machine q35 -m 3G: etc/e820 as read through fw_cfg
        String qemu = "000000fd00000000" + "0000000300000000" + "00000002"
                + "0000000000000000" + "0000000080000000" + "00000001"
                + "0000000100000000" + "0000000040000000" + "00000001";
        ByteBuffer b = ByteBuffer.wrap(FwCfg.e820(0x8000_0000L, 0x4000_0000L)).order(ByteOrder.LITTLE_ENDIAN);
        StringBuilder got = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            got.append(String.format("%016x%016x%08x", b.getLong(), b.getLong(), b.getInt()));
        }
        assertEquals(qemu, got.toString());
    }

    @Test
    void dmaReadsTheSelectedItemIntoGuestRam() {
        assertEquals(0x51454d55L, Integer.toUnsignedLong(Integer.reverseBytes((int) cpu.in(0x514, 4))), "\"QEMU\" big-endian");
        long desc = 0x1000;
        long buf = 0x2000;
        host.ram.writeU32(desc, Integer.reverseBytes(FwCfg.RAM_SIZE << 16 | 0x08 | 0x02)); // select + read
        host.ram.writeU32(desc + 4, Integer.reverseBytes(8));
        host.ram.writeU64(desc + 8, Long.reverseBytes(buf));
        cpu.out(0x514, 4, Integer.reverseBytes(0));
        cpu.out(0x518, 4, Integer.reverseBytes((int) desc));
        assertEquals(0, host.ram.readU32(desc), "control cleared: done, no error");
        assertEquals(8 << 20, host.ram.readU64(buf));

        // a transfer into memory that does not exist reports an error and writes nothing else
        host.ram.writeU32(desc, Integer.reverseBytes(FwCfg.SIGNATURE << 16 | 0x08 | 0x02));
        host.ram.writeU64(desc + 8, Long.reverseBytes(0x7fff_0000L));
        cpu.out(0x514, 4, 0);
        cpu.out(0x518, 4, Integer.reverseBytes((int) desc));
        assertEquals(1, Integer.reverseBytes(host.ram.readU32(desc)));
    }

    @Test
    void selectorAndOffsetMigrate() {
        FwCfg a = new FwCfg(host.ram, 1 << 20, 1);
        a.ports.write(0, 2, FwCfg.SIGNATURE);
        a.ports.read(1, 1);
        a.ports.read(1, 1);
        RecordingState s = RecordingState.save(a.vmstate());
        FwCfg b = new FwCfg(host.ram, 1 << 20, 1);
        s.loadInto(b.vmstate());
        assertArrayEquals(new long[] {'M', 'U'}, new long[] {b.ports.read(1, 1), b.ports.read(1, 1)});
    }
}
