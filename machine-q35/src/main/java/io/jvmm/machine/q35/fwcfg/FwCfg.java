package io.jvmm.machine.q35.fwcfg;

import io.jvmm.spi.memory.GuestMemory;
import io.jvmm.spi.memory.GuestMemoryException;
import io.jvmm.spi.memory.IoHandler;
import io.jvmm.spi.vmstate.VmStateDescription;
import io.jvmm.spi.vmstate.VmStateful;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * QEMU's firmware configuration device on x86 I/O ports: a 16-bit selector at 0x510, a byte-wide
 * data port at 0x511 (reads walk the selected item, past its end they read 0), and the DMA
 * interface at 0x514 (a big-endian guest address of an FWCfgDmaAccess written high dword first; the
 * low dword's write starts the transfer). Items: the signature, the interface id, the RAM size
 * (what libqos reads), CPU counts, and a file directory (key 0x19) with {@code bootorder},
 * {@code etc/boot-fail-wait} and {@code etc/e820}.
 */
public final class FwCfg implements VmStateful {
    private static final Logger LOG = LoggerFactory.getLogger(FwCfg.class);

    public static final int PORT_SELECTOR = 0x510, PORT_DATA = 0x511, PORT_DMA = 0x514;
    public static final int SIGNATURE = 0x00, ID = 0x01, UUID = 0x02, RAM_SIZE = 0x03, NOGRAPHIC = 0x04;
    public static final int NB_CPUS = 0x05, MACHINE_ID = 0x06, BOOT_MENU = 0x0e, MAX_CPUS = 0x0f, FILE_DIR = 0x19;
    public static final int FILE_FIRST = 0x20;
    /** Traditional interface plus DMA (bit 1), as QEMU 7.2 reports. */
    public static final int ID_TRADITIONAL = 1, ID_DMA = 2;
    /** "QEMU CFG": what reading the DMA address register returns, so a guest can detect DMA. */
    public static final long DMA_SIGNATURE = 0x51454d5520434647L;
    private static final int ENTRY_MASK = 0x3fff, ARCH_LOCAL = 0x8000;
    private static final int DMA_ERROR = 0x01, DMA_READ = 0x02, DMA_SKIP = 0x04, DMA_SELECT = 0x08, DMA_WRITE = 0x10;
    /** Bound on a DMA transfer's length field, so a guest cannot make us loop for long on garbage. */
    private static final long MAX_DMA_LENGTH = 1L << 30;

    private final Map<Integer, byte[]> items = new TreeMap<>();
    private final Map<String, byte[]> files = new TreeMap<>();
    private final GuestMemory memory;
    private int selector;
    private int offset;
    private long dmaAddress;

    public FwCfg(GuestMemory memory, long ramSize, int cpus) {
        this.memory = memory;
        items.put(SIGNATURE, "QEMU".getBytes(StandardCharsets.US_ASCII));
        items.put(ID, le(ID_TRADITIONAL | ID_DMA, 4));
        items.put(UUID, new byte[16]);
        items.put(RAM_SIZE, le(ramSize, 8));
        items.put(NOGRAPHIC, le(0, 2));
        items.put(NB_CPUS, le(cpus, 2));
        items.put(MACHINE_ID, le(0, 4));
        items.put(BOOT_MENU, le(0, 2));
        items.put(MAX_CPUS, le(cpus, 2));
        addFile("bootorder", new byte[0]);
        addFile("etc/boot-fail-wait", le(-1, 4));
    }

    private static byte[] le(long v, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (v >>> (8 * i));
        }
        return b;
    }

    /** Adds (or replaces) a named file; selectors follow name order from 0x20, as in QEMU. */
    public synchronized void addFile(String name, byte[] data) {
        if (name.length() > 55) {
            throw new IllegalArgumentException("fw_cfg file name longer than 55 bytes: " + name);
        }
        files.put(name, data.clone());
        rebuildDirectory();
    }

    /**
     * The e820 table QEMU gives a q35 guest: RAM below 4 GiB, RAM above 4 GiB if any, and the
     * reserved range QEMU 7.2 adds at 1 TiB - 12 GiB (the AMD HyperTransport window) for x86.
     */
    public static byte[] e820(long lowRam, long highRam) {
        ByteBuffer b = ByteBuffer.allocate(20 * (highRam > 0 ? 3 : 2)).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0xfd_0000_0000L).putLong(0x3_0000_0000L).putInt(2);
        b.putLong(0).putLong(lowRam).putInt(1);
        if (highRam > 0) {
            b.putLong(1L << 32).putLong(highRam).putInt(1);
        }
        return b.array();
    }

    private void rebuildDirectory() {
        ByteBuffer dir = ByteBuffer.allocate(4 + 64 * files.size()).order(ByteOrder.BIG_ENDIAN);
        dir.putInt(files.size());
        int key = FILE_FIRST;
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            items.put(key, e.getValue());
            dir.putInt(e.getValue().length).putShort((short) key).putShort((short) 0);
            byte[] name = new byte[56];
            byte[] n = e.getKey().getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(n, 0, name, 0, n.length);
            dir.put(name);
            key++;
        }
        items.put(FILE_DIR, dir.array());
    }

    private byte[] current() {
        return items.get(selector & (ENTRY_MASK | ARCH_LOCAL));
    }

    private synchronized void select(int key) {
        selector = key & 0xffff;
        offset = 0;
    }

    private synchronized int readByte() {
        byte[] item = current();
        if (item == null || offset >= item.length) {
            return 0;
        }
        return item[offset++] & 0xff;
    }

    /** The selector/data pair at 0x510 (two bytes: selector at +0, data at +1). */
    public final IoHandler ports = new IoHandler() {
        @Override
        public long read(long off, int size) {
            if (off == 1 && size == 1) {
                return readByte();
            }
            if (off == 0 && size == 1) {
                return readByte(); // QEMU's combined port reads data at either address
            }
            long v = 0;
            for (int i = size - 1; i >= 0; i--) {
                v = v << 8 | readByte();
            }
            return v;
        }

        @Override
        public void write(long off, int size, long value) {
            if (off == 0 && size == 2) {
                select((int) value);
            } else {
                LOG.debug("fw_cfg: ignored write of size {} at port offset {}", size, off);
            }
        }
    };

    /** The DMA address register at 0x514 (8 bytes, big-endian). */
    public final IoHandler dma = new IoHandler() {
        @Override
        public long read(long off, int size) {
            // reads return the signature in big-endian byte order, so byte i is "QEMU CFG"[i]
            long v = 0;
            for (int i = size - 1; i >= 0; i--) {
                int idx = (int) off + i;
                int b = idx < 8 ? (int) (DMA_SIGNATURE >>> (8 * (7 - idx))) & 0xff : 0xff;
                v = v << 8 | b;
            }
            return v;
        }

        @Override
        public void write(long off, int size, long value) {
            if (size == 4 && off == 0) {
                synchronized (FwCfg.this) {
                    dmaAddress = (Integer.reverseBytes((int) value) & 0xffff_ffffL) << 32;
                }
            } else if (size == 4 && off == 4) {
                long addr;
                synchronized (FwCfg.this) {
                    addr = dmaAddress | (Integer.reverseBytes((int) value) & 0xffff_ffffL);
                    dmaAddress = 0;
                }
                runDma(addr);
            } else if (size == 8 && off == 0) {
                runDma(Long.reverseBytes(value));
            }
        }
    };

    /** Runs one FWCfgDmaAccess {be32 control, be32 length, be64 address} at {@code access}. */
    private void runDma(long access) {
        if (!memory.contains(access, 16)) {
            LOG.warn("fw_cfg: DMA descriptor at 0x{} is outside guest RAM; ignored", Long.toHexString(access));
            return;
        }
        int control = Integer.reverseBytes(memory.readU32(access));
        long length = Integer.reverseBytes(memory.readU32(access + 4)) & 0xffff_ffffL;
        long addr = Long.reverseBytes(memory.readU64(access + 8));
        if ((control & DMA_SELECT) != 0) {
            select(control >>> 16);
        }
        boolean error = false;
        if ((control & DMA_WRITE) != 0) {
            error = true; // no writable items
        } else if ((control & (DMA_READ | DMA_SKIP)) != 0 && length > 0) {
            if (length > MAX_DMA_LENGTH) {
                error = true;
            } else {
                try {
                    synchronized (this) {
                        byte[] item = current();
                        for (long i = 0; i < length; i++) {
                            int b = item != null && offset < item.length ? item[offset] & 0xff : 0;
                            if (item != null && offset < item.length) {
                                offset++;
                            }
                            if ((control & DMA_READ) != 0) {
                                memory.writeU8(addr + i, (byte) b);
                            }
                        }
                    }
                } catch (GuestMemoryException e) {
                    error = true;
                }
            }
        }
        // the device reports completion by clearing control (or leaving only the error bit)
        memory.writeU32(access, Integer.reverseBytes(error ? DMA_ERROR : 0));
    }

    @Override
    public VmStateDescription vmstate() {
        return new VmStateDescription("fw_cfg", 1, 1,
                out -> {
                    synchronized (this) {
                        out.u16("cur_entry", selector);
                        out.u32("cur_offset", offset);
                        out.u64("dma_addr", dmaAddress);
                    }
                },
                (in, version) -> {
                    int sel = in.u16("cur_entry");
                    long off = in.u32("cur_offset");
                    long d = in.u64("dma_addr");
                    synchronized (this) {
                        selector = sel;
                        byte[] item = current();
                        offset = (int) Math.min(off, item == null ? 0 : item.length);
                        dmaAddress = d;
                    }
                });
    }

    public synchronized void reset() {
        selector = 0;
        offset = 0;
        dmaAddress = 0;
    }
}
