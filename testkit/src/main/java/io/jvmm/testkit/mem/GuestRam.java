package io.jvmm.testkit.mem;

/**
 * Guest RAM as the test (acting as the guest's CPU) sees it. Two ways in: through qtest requests
 * ({@link io.jvmm.testkit.QtestGuestRam}, works everywhere) or through a mapping of the VMM's shared memory file
 * ({@link SharedFileGuestRam}, much faster, needs {@code memory-backend-file,share=on}). Values are
 * little-endian, as on x86.
 */
public interface GuestRam {

    void read(long addr, byte[] dst, int off, int len);

    void write(long addr, byte[] src, int off, int len);

    default byte[] read(long addr, int len) {
        byte[] b = new byte[len];
        read(addr, b, 0, len);
        return b;
    }

    default void write(long addr, byte[] src) {
        write(addr, src, 0, src.length);
    }

    default int readU8(long addr) {
        return read(addr, 1)[0] & 0xff;
    }

    default int readU16(long addr) {
        byte[] b = read(addr, 2);
        return (b[0] & 0xff) | (b[1] & 0xff) << 8;
    }

    default int readU32(long addr) {
        byte[] b = read(addr, 4);
        return (b[0] & 0xff) | (b[1] & 0xff) << 8 | (b[2] & 0xff) << 16 | (b[3] & 0xff) << 24;
    }

    default long readU64(long addr) {
        return (readU32(addr) & 0xffffffffL) | (long) readU32(addr + 4) << 32;
    }

    default void writeU8(long addr, int v) {
        write(addr, new byte[] {(byte) v});
    }

    default void writeU16(long addr, int v) {
        write(addr, new byte[] {(byte) v, (byte) (v >>> 8)});
    }

    default void writeU32(long addr, int v) {
        write(addr, new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)});
    }

    default void writeU64(long addr, long v) {
        writeU32(addr, (int) v);
        writeU32(addr + 4, (int) (v >>> 32));
    }

    default void fill(long addr, int len, byte value) {
        byte[] b = new byte[len];
        java.util.Arrays.fill(b, value);
        write(addr, b);
    }
}
