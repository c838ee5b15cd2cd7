package io.jvmm.plugin.tap;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Builds {@code struct iovec} arrays for readv/writev from the NIC's segments (guest memory). */
final class TapIovec {

    private TapIovec() {
    }

    /**
     * Writes one iovec per non-empty segment into {@code iov}; returns the count. Segments must be
     * native memory (guest RAM slices): the kernel reads and writes them directly.
     */
    static int fill(MemorySegment iov, MemorySegment[] segments) {
        if (segments.length > TapNative.IOV_MAX) {
            throw new IllegalArgumentException("a frame in " + segments.length + " segments; readv/writev take at most "
                    + TapNative.IOV_MAX);
        }
        int count = 0;
        for (MemorySegment s : segments) {
            if (!s.isNative()) {
                throw new IllegalArgumentException("frame segments must be native memory (guest RAM), got " + s);
            }
            long size = s.byteSize();
            if (size == 0) {
                continue;
            }
            long at = count * TapNative.IOVEC_SIZE;
            iov.set(ValueLayout.JAVA_LONG, at, s.address());
            iov.set(ValueLayout.JAVA_LONG, at + 8, size);
            count++;
        }
        return count;
    }

    /** Total bytes described by the first {@code count} iovecs. */
    static long capacity(MemorySegment iov, int count) {
        long total = 0;
        for (int i = 0; i < count; i++) {
            total += iov.get(ValueLayout.JAVA_LONG, i * TapNative.IOVEC_SIZE + 8);
        }
        return total;
    }
}
