package io.jvmm.spi.memory;

/**
 * Handles accesses to an MMIO or port I/O region. {@code size} is 1, 2, 4 or 8 bytes and the access
 * reaches the handler at that width (a 16-bit notify write is one write of size 2). Values are
 * little-endian integers, zero-extended.
 */
public interface IoHandler {
    long read(long offset, int size);

    void write(long offset, int size, long value);

    /** A region that reads all-ones and ignores writes, as unassigned space does. */
    IoHandler UNASSIGNED = new IoHandler() {
        @Override
        public long read(long offset, int size) {
            return size == 8 ? -1L : (1L << (size * 8)) - 1;
        }

        @Override
        public void write(long offset, int size, long value) {
        }
    };
}
