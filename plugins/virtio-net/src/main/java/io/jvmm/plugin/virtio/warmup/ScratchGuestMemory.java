package io.jvmm.plugin.virtio.warmup;

import io.jvmm.spi.memory.GuestMemory;
import io.jvmm.spi.memory.GuestMemoryException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Private "guest RAM" for the data-path warm-up and the unit tests: one FFM-allocated block at guest
 * address 0, bounds-checked like the real one.
 */
public final class ScratchGuestMemory implements GuestMemory, AutoCloseable {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Arena arena = Arena.ofShared();
    private final MemorySegment ram;

    public ScratchGuestMemory(long size) {
        ram = arena.allocate(size, 4096);
    }

    private void check(long a, long len) {
        if (!contains(a, len)) {
            throw new GuestMemoryException(String.format("0x%x+%d is outside guest RAM", a, len));
        }
    }

    @Override
    public long size() {
        return ram.byteSize();
    }

    @Override
    public MemorySegment slice(long a, long len) {
        check(a, len);
        return ram.asSlice(a, len);
    }

    @Override
    public boolean contains(long a, long len) {
        return a >= 0 && len >= 0 && a + len >= a && a + len <= ram.byteSize();
    }

    @Override
    public byte readU8(long a) {
        check(a, 1);
        return ram.get(ValueLayout.JAVA_BYTE, a);
    }

    @Override
    public short readU16(long a) {
        check(a, 2);
        return ram.get(U16, a);
    }

    @Override
    public int readU32(long a) {
        check(a, 4);
        return ram.get(U32, a);
    }

    @Override
    public long readU64(long a) {
        check(a, 8);
        return ram.get(U64, a);
    }

    @Override
    public void writeU8(long a, byte v) {
        check(a, 1);
        ram.set(ValueLayout.JAVA_BYTE, a, v);
    }

    @Override
    public void writeU16(long a, short v) {
        check(a, 2);
        ram.set(U16, a, v);
    }

    @Override
    public void writeU32(long a, int v) {
        check(a, 4);
        ram.set(U32, a, v);
    }

    @Override
    public void writeU64(long a, long v) {
        check(a, 8);
        ram.set(U64, a, v);
    }

    @Override
    public void read(long a, byte[] dst, int off, int len) {
        check(a, len);
        MemorySegment.copy(ram, ValueLayout.JAVA_BYTE, a, dst, off, len);
    }

    @Override
    public void write(long a, byte[] src, int off, int len) {
        check(a, len);
        MemorySegment.copy(src, off, ram, ValueLayout.JAVA_BYTE, a, len);
    }

    public byte[] bytes(long a, int len) {
        byte[] b = new byte[len];
        read(a, b, 0, len);
        return b;
    }

    @Override
    public void close() {
        arena.close();
    }
}
