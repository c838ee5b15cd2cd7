package io.jvmm.plugin.virtio.warmup;

import static io.jvmm.plugin.virtio.transport.VirtioPciLayout.*;

import io.jvmm.plugin.virtio.transport.VirtioStatus;
import io.jvmm.spi.memory.IoHandler;
import io.jvmm.spi.pci.PciBarSpec;
import io.jvmm.spi.pci.PciDevice;

/**
 * A minimal virtio driver for the data-path warm-up and the unit tests, talking to the transport's
 * BAR4 registers directly and laying out split rings in scratch guest RAM. Raw descriptor writes let
 * tests build malformed rings.
 */
public final class MiniDriver {
    public final ScratchGuestMemory mem;
    public final IoHandler modern;
    private long next = 0x10000;

    public MiniDriver(ScratchGuestMemory mem, PciDevice device) {
        this.mem = mem;
        IoHandler m = null;
        for (PciBarSpec b : device.bars()) {
            if (b.index() == MODERN_BAR) {
                m = b.handler();
            }
        }
        this.modern = m;
    }

    public long alloc(long size) {
        long a = (next + 4095) & ~4095L;
        next = a + size;
        return a;
    }

    public long read(int off, int size) {
        return modern.read(off, size);
    }

    public void write(int off, int size, long v) {
        modern.write(off, size, v);
    }

    public long deviceFeatures() {
        write(COMMON_DFSELECT, 4, 0);
        long lo = read(COMMON_DF, 4);
        write(COMMON_DFSELECT, 4, 1);
        return lo | read(COMMON_DF, 4) << 32;
    }

    /** Resets, acknowledges and negotiates; returns the status read back. */
    public int negotiate(long features) {
        write(COMMON_STATUS, 1, 0);
        write(COMMON_STATUS, 1, VirtioStatus.ACKNOWLEDGE);
        write(COMMON_STATUS, 1, VirtioStatus.ACKNOWLEDGE | VirtioStatus.DRIVER);
        write(COMMON_GFSELECT, 4, 0);
        write(COMMON_GF, 4, features & 0xffffffffL);
        write(COMMON_GFSELECT, 4, 1);
        write(COMMON_GF, 4, features >>> 32);
        write(COMMON_STATUS, 1, VirtioStatus.ACKNOWLEDGE | VirtioStatus.DRIVER | VirtioStatus.FEATURES_OK);
        return (int) read(COMMON_STATUS, 1);
    }

    public void driverOk() {
        write(COMMON_STATUS, 1, VirtioStatus.ACKNOWLEDGE | VirtioStatus.DRIVER | VirtioStatus.FEATURES_OK
                | VirtioStatus.DRIVER_OK);
    }

    public int status() {
        return (int) read(COMMON_STATUS, 1);
    }

    public Ring setupQueue(int q, int size, int vector) {
        write(COMMON_Q_SELECT, 2, q);
        write(COMMON_Q_SIZE, 2, size);
        Ring r = new Ring(this, q, size, alloc(16L * size), alloc(6 + 2L * size), alloc(6 + 8L * size));
        write(COMMON_Q_DESCLO, 4, r.desc & 0xffffffffL);
        write(COMMON_Q_DESCHI, 4, r.desc >>> 32);
        write(COMMON_Q_AVAILLO, 4, r.avail & 0xffffffffL);
        write(COMMON_Q_AVAILHI, 4, r.avail >>> 32);
        write(COMMON_Q_USEDLO, 4, r.used & 0xffffffffL);
        write(COMMON_Q_USEDHI, 4, r.used >>> 32);
        write(COMMON_Q_MSIX, 2, vector);
        write(COMMON_Q_ENABLE, 2, 1);
        return r;
    }

    public void kick(int q) {
        write(NOTIFY_OFFSET + q * NOTIFY_OFF_MULTIPLIER, 2, q);
    }

    /** A split ring the test drives: descriptors are handed out round-robin. */
    public static final class Ring {
        public final MiniDriver d;
        public final int index;
        public final int size;
        public final long desc;
        public final long avail;
        public final long used;
        private int nextDesc;
        private int availIdx;
        private int lastUsed;

        Ring(MiniDriver d, int index, int size, long desc, long avail, long used) {
            this.d = d;
            this.index = index;
            this.size = size;
            this.desc = desc;
            this.avail = avail;
            this.used = used;
        }

        public void writeDesc(int i, long addr, int len, int flags, int next) {
            long a = desc + 16L * i;
            d.mem.writeU64(a, addr);
            d.mem.writeU32(a + 8, len);
            d.mem.writeU16(a + 12, (short) flags);
            d.mem.writeU16(a + 14, (short) next);
        }

        /** Posts a chain of buffers {addr, len, writable(0/1)}; returns the head. */
        public int post(long[]... bufs) {
            int head = nextDesc;
            for (int i = 0; i < bufs.length; i++) {
                int idx = (nextDesc + i) % size;
                int flags = (bufs[i][2] != 0 ? 2 : 0) | (i + 1 < bufs.length ? 1 : 0);
                writeDesc(idx, bufs[i][0], (int) bufs[i][1], flags, (idx + 1) % size);
            }
            nextDesc = (nextDesc + bufs.length) % size;
            publishHead(head);
            return head;
        }

        public void publishHead(int head) {
            d.mem.writeU16(avail + 4 + 2L * (availIdx % size), (short) head);
            availIdx = (availIdx + 1) & 0xffff;
            d.mem.writeU16(avail + 2, (short) availIdx);
        }

        public void setAvailIdx(int idx) {
            availIdx = idx & 0xffff;
            d.mem.writeU16(avail + 2, (short) availIdx);
        }

        public int usedIdx() {
            return d.mem.readU16(used + 2) & 0xffff;
        }

        /** The next used element {id, len}, or null. */
        public int[] takeUsed() {
            if (lastUsed == usedIdx()) {
                return null;
            }
            long e = used + 4 + 8L * (lastUsed % size);
            lastUsed = (lastUsed + 1) & 0xffff;
            return new int[] {d.mem.readU32(e), d.mem.readU32(e + 4)};
        }

        public void kick() {
            d.kick(index);
        }
    }
}
