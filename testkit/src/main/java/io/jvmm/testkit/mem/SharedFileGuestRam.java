package io.jvmm.testkit.mem;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Guest RAM through a MAP_SHARED mapping of the VMM's memory file ({@code memory-backend-file,
 * share=on}): the same pages the VMM maps, so reads and writes are plain memory accesses, no round
 * trip. The guest-physical to file-offset translation follows the q35 layout: RAM below
 * {@code lowMemEnd} sits at guest address = file offset, the rest starts at 4 GiB.
 *
 * <p>Ordering: a write here is visible to the VMM as soon as the next qtest request that makes the
 * device look (a notify) is sent, because that request's syscall orders the stores.
 */
public final class SharedFileGuestRam implements GuestRam, AutoCloseable {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final long FOUR_GIB = 1L << 32;

    private final Arena arena;
    private final MemorySegment ram;
    private final long lowMemEnd;

    private SharedFileGuestRam(Arena arena, MemorySegment ram, long lowMemEnd) {
        this.arena = arena;
        this.ram = ram;
        this.lowMemEnd = lowMemEnd;
    }

    /** Maps {@code file} of {@code size} bytes with q35's split ({@link #q35LowMemEnd}). */
    public static SharedFileGuestRam map(Path file, long size) throws IOException {
        return map(file, size, q35LowMemEnd(size));
    }

    public static SharedFileGuestRam map(Path file, long size, long lowMemEnd) throws IOException {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            if (ch.size() < size) {
                throw new IOException(file + " holds " + ch.size() + " bytes, less than the RAM size " + size);
            }
            return new SharedFileGuestRam(arena, ch.map(FileChannel.MapMode.READ_WRITE, 0, size, arena), lowMemEnd);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /**
     * RAM below 4 GiB on q35, as QEMU's pc_q35_init: all of it up to 2.75 GiB (the ECAM window starts
     * at 0xB0000000), else 2 GiB.
     */
    public static long q35LowMemEnd(long ramSize) {
        long lowmem = ramSize >= 0xB000_0000L ? 0x8000_0000L : 0xB000_0000L;
        return Math.min(ramSize, lowmem);
    }

    public long size() {
        return ram.byteSize();
    }

    /** The file offset of guest-physical {@code addr} for an access of {@code len} bytes. */
    private long offset(long addr, long len) {
        long off;
        if (addr >= 0 && addr + len <= lowMemEnd) {
            off = addr;
        } else if (addr >= FOUR_GIB) {
            off = lowMemEnd + (addr - FOUR_GIB);
        } else {
            throw new IndexOutOfBoundsException(String.format("0x%x+%d is not RAM", addr, len));
        }
        if (off + len > ram.byteSize() || len < 0) {
            throw new IndexOutOfBoundsException(String.format("0x%x+%d is beyond RAM", addr, len));
        }
        return off;
    }

    /** A view of guest RAM for direct access (bounds-checked by the segment). */
    public MemorySegment segment(long addr, long len) {
        return ram.asSlice(offset(addr, len), len);
    }

    @Override
    public void read(long addr, byte[] dst, int off, int len) {
        MemorySegment.copy(ram, ValueLayout.JAVA_BYTE, offset(addr, len), dst, off, len);
    }

    @Override
    public void write(long addr, byte[] src, int off, int len) {
        MemorySegment.copy(src, off, ram, ValueLayout.JAVA_BYTE, offset(addr, len), len);
    }

    @Override
    public int readU8(long addr) {
        return ram.get(ValueLayout.JAVA_BYTE, offset(addr, 1)) & 0xff;
    }

    @Override
    public int readU16(long addr) {
        return ram.get(U16, offset(addr, 2)) & 0xffff;
    }

    @Override
    public int readU32(long addr) {
        return ram.get(U32, offset(addr, 4));
    }

    @Override
    public long readU64(long addr) {
        return ram.get(U64, offset(addr, 8));
    }

    @Override
    public void writeU8(long addr, int v) {
        ram.set(ValueLayout.JAVA_BYTE, offset(addr, 1), (byte) v);
    }

    @Override
    public void writeU16(long addr, int v) {
        ram.set(U16, offset(addr, 2), (short) v);
    }

    @Override
    public void writeU32(long addr, int v) {
        ram.set(U32, offset(addr, 4), v);
    }

    @Override
    public void writeU64(long addr, long v) {
        ram.set(U64, offset(addr, 8), v);
    }

    @Override
    public void fill(long addr, int len, byte value) {
        ram.asSlice(offset(addr, len), len).fill(value);
    }

    @Override
    public void close() {
        arena.close();
    }
}
