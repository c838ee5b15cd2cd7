package io.jvmm.spi.memory;

import java.lang.foreign.MemorySegment;

/**
 * Guest RAM as seen by devices (DMA). Every access is bounds-checked against RAM: an address or
 * length outside it throws {@link GuestMemoryException} and touches nothing, so a guest cannot
 * make a device read or write host memory. Multi-byte values are little-endian.
 */
public interface GuestMemory {

    /** Total RAM in bytes. */
    long size();

    /**
     * A slice of RAM for zero-copy I/O (readv/writev straight into guest memory). The range must
     * lie inside one RAM block; crossing a hole or the end throws.
     */
    MemorySegment slice(long guestAddress, long length);

    /** True if {@code [guestAddress, guestAddress + length)} lies entirely in RAM. */
    boolean contains(long guestAddress, long length);

    byte readU8(long guestAddress);

    short readU16(long guestAddress);

    int readU32(long guestAddress);

    long readU64(long guestAddress);

    void writeU8(long guestAddress, byte value);

    void writeU16(long guestAddress, short value);

    void writeU32(long guestAddress, int value);

    void writeU64(long guestAddress, long value);

    void read(long guestAddress, byte[] dst, int offset, int length);

    void write(long guestAddress, byte[] src, int offset, int length);
}
