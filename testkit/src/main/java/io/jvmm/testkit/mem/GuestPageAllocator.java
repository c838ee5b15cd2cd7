package io.jvmm.testkit.mem;

import java.util.Map;
import java.util.TreeMap;

/**
 * Hands out guest-physical RAM for rings and buffers, as libqos's allocator does: page-granular,
 * first fit, freed ranges coalesce. Addresses are guest-physical; the VMM knows nothing of this.
 */
public final class GuestPageAllocator {
    public static final long PAGE = 4096;

    /** Free ranges: start -> end (exclusive), never adjacent (coalesced). */
    private final TreeMap<Long, Long> free = new TreeMap<>();
    /** Allocated ranges: start -> length, so free() knows how much to return. */
    private final TreeMap<Long, Long> used = new TreeMap<>();
    private final long start;
    private final long end;

    /** Manages {@code [start, end)}; both are rounded inwards to whole pages. */
    public GuestPageAllocator(long start, long end) {
        this.start = alignUp(start, PAGE);
        this.end = end & -PAGE;
        if (this.end <= this.start) {
            throw new IllegalArgumentException(String.format("empty range [0x%x, 0x%x)", start, end));
        }
        free.put(this.start, this.end);
    }

    /**
     * The range libqos uses on pc/q35: from 1 MiB (above legacy VGA/BIOS areas) to the end of RAM
     * below 4 GiB.
     */
    public static GuestPageAllocator forQ35(long ramSize) {
        return new GuestPageAllocator(1 << 20, SharedFileGuestRam.q35LowMemEnd(ramSize));
    }

    public long alloc(long size) {
        return alloc(size, PAGE);
    }

    /** Allocates {@code size} bytes aligned to {@code align} (a power of two, at least a page). */
    public synchronized long alloc(long size, long align) {
        if (size <= 0) {
            throw new IllegalArgumentException("size must be positive: " + size);
        }
        if (Long.bitCount(align) != 1) {
            throw new IllegalArgumentException("alignment must be a power of two: " + align);
        }
        align = Math.max(align, PAGE);
        long len = alignUp(size, PAGE);
        for (Map.Entry<Long, Long> e : free.entrySet()) {
            long base = alignUp(e.getKey(), align);
            if (base + len <= e.getValue()) {
                long fs = e.getKey();
                long fe = e.getValue();
                free.remove(fs);
                if (fs < base) {
                    free.put(fs, base);
                }
                if (base + len < fe) {
                    free.put(base + len, fe);
                }
                used.put(base, len);
                return base;
            }
        }
        throw new IllegalStateException("guest RAM exhausted: no " + len + " free bytes aligned to " + align);
    }

    public synchronized void free(long addr) {
        Long len = used.remove(addr);
        if (len == null) {
            throw new IllegalArgumentException(String.format("0x%x was not allocated", addr));
        }
        long s = addr;
        long e = addr + len;
        Map.Entry<Long, Long> before = free.floorEntry(s);
        if (before != null && before.getValue() == s) {
            s = before.getKey();
            free.remove(before.getKey());
        }
        Long afterEnd = free.remove(e);
        if (afterEnd != null) {
            e = afterEnd;
        }
        free.put(s, e);
    }

    public synchronized long freeBytes() {
        long n = 0;
        for (Map.Entry<Long, Long> e : free.entrySet()) {
            n += e.getValue() - e.getKey();
        }
        return n;
    }

    public long start() {
        return start;
    }

    public long end() {
        return end;
    }

    private static long alignUp(long v, long a) {
        return (v + a - 1) & -a;
    }
}
