package io.jvmm.testkit;

import io.jvmm.testkit.mem.GuestRam;

/**
 * Guest RAM through qtest requests: works with any VMM, one round trip per access. Single values use
 * the sized requests (one access of that width); blocks use b64read/b64write in chunks so no request
 * line grows without bound.
 */
public final class QtestGuestRam implements GuestRam {
    private static final int CHUNK = 16 * 1024;
    private final QtestClient qtest;

    public QtestGuestRam(QtestClient qtest) {
        this.qtest = qtest;
    }

    @Override
    public void read(long addr, byte[] dst, int off, int len) {
        for (int done = 0; done < len; ) {
            int n = Math.min(CHUNK, len - done);
            byte[] chunk = qtest.b64read(addr + done, n);
            System.arraycopy(chunk, 0, dst, off + done, n);
            done += n;
        }
    }

    @Override
    public void write(long addr, byte[] src, int off, int len) {
        for (int done = 0; done < len; ) {
            int n = Math.min(CHUNK, len - done);
            byte[] chunk = java.util.Arrays.copyOfRange(src, off + done, off + done + n);
            qtest.b64write(addr + done, chunk);
            done += n;
        }
    }

    @Override
    public int readU8(long addr) {
        return qtest.readb(addr);
    }

    @Override
    public int readU16(long addr) {
        return qtest.readw(addr);
    }

    @Override
    public int readU32(long addr) {
        return qtest.readl(addr);
    }

    @Override
    public long readU64(long addr) {
        return qtest.readq(addr);
    }

    @Override
    public void writeU8(long addr, int v) {
        qtest.writeb(addr, v);
    }

    @Override
    public void writeU16(long addr, int v) {
        qtest.writew(addr, v);
    }

    @Override
    public void writeU32(long addr, int v) {
        qtest.writel(addr, v);
    }

    @Override
    public void writeU64(long addr, long v) {
        qtest.writeq(addr, v);
    }

    @Override
    public void fill(long addr, int len, byte value) {
        qtest.memset(addr, len, value);
    }
}
