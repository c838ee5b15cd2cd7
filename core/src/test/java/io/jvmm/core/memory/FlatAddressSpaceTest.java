package io.jvmm.core.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jvmm.core.irq.InterruptRouter;
import io.jvmm.spi.memory.AddressSpace;
import io.jvmm.spi.memory.IoHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FlatAddressSpaceTest {

    /** Records accesses so tests can check width and offset exactly. */
    static final class Recorder implements IoHandler {
        final List<String> log = new ArrayList<>();
        long value;

        @Override
        public long read(long offset, int size) {
            log.add("r" + size + "@" + offset);
            return value;
        }

        @Override
        public void write(long offset, int size, long v) {
            log.add("w" + size + "@" + offset + "=" + Long.toHexString(v));
        }
    }

    @Test
    void accessesReachHandlersAtTheirOwnWidth() {
        FlatAddressSpace io = new FlatAddressSpace("io", 0x10000);
        Recorder r = new Recorder();
        io.map("dev", 0xc000, 0x40, r);
        io.write(0xc010, 2, 0xbeef);
        io.read(0xc014, 1);
        io.write(0xc020, 8, 0x1122334455667788L);
        assertEquals(List.of("w2@16=beef", "r1@20", "w8@32=1122334455667788"), r.log);
    }

    @Test
    void unassignedReadsAllOnesAndDropsWrites() {
        FlatAddressSpace io = new FlatAddressSpace("io", 0x10000);
        assertEquals(0xff, io.read(0x80, 1));
        assertEquals(0xffff, io.read(0x80, 2));
        assertEquals(0xffffffffL, io.read(0x80, 4));
        assertEquals(-1L, io.read(0x80, 8));
        io.write(0x80, 4, 0); // dropped, no exception
    }

    @Test
    void movingAndDisablingARegionChangesWhatDecodes() {
        FlatAddressSpace mmio = new FlatAddressSpace("mmio", 1L << 40);
        Recorder r = new Recorder();
        r.value = 5;
        AddressSpace.Region region = mmio.map("bar0", 0xE0000000L, 0x1000, r);
        assertEquals(5, mmio.read(0xE0000010L, 4));
        region.setEnabled(false);
        assertEquals(0xffffffffL, mmio.read(0xE0000010L, 4));
        region.setEnabled(true);
        region.move(0xF0000000L);
        assertEquals(0xffffffffL, mmio.read(0xE0000010L, 4));
        assertEquals(5, mmio.read(0xF0000010L, 4));
        region.unmap();
        assertEquals(0xffffffffL, mmio.read(0xF0000010L, 4));
    }

    @Test
    void overlappingRegionsLastPlacedWinsAndNothingThrows() {
        FlatAddressSpace mmio = new FlatAddressSpace("mmio", 1L << 40);
        Recorder a = new Recorder();
        a.value = 1;
        Recorder b = new Recorder();
        b.value = 2;
        mmio.map("a", 0x1000, 0x1000, a);
        AddressSpace.Region rb = mmio.map("b", 0x3000, 0x1000, b);
        rb.move(0x1800);
        assertEquals(2, mmio.read(0x1900, 4));
        assertEquals(1, mmio.read(0x1100, 4));
    }

    @Test
    void accessCrossingARegionEndIsSplitIntoBytes() {
        FlatAddressSpace io = new FlatAddressSpace("io", 0x10000);
        Recorder r = new Recorder();
        r.value = 0xab;
        io.map("dev", 0x100, 2, r);
        assertEquals(0xffffababL, io.read(0x100, 4));
    }

    @Test
    void systemMemoryReachesRamAndMsiIsAWriteIntoIt() {
        try (GuestRam ram = MemoryBackends.create("ram", 1 << 20, Optional.empty(), false)) {
            FlatAddressSpace sys = new FlatAddressSpace("system", 1L << 40, ram);
            sys.write(0x2000, 4, 0xdeadbeefL);
            assertEquals(0xdeadbeef, ram.readU32(0x2000));
            new InterruptRouter(sys).sendMsi(0x3000, 0x4021);
            assertEquals(0x4021, ram.readU32(0x3000));
        }
    }
}
