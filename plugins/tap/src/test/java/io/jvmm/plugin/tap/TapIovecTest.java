package io.jvmm.plugin.tap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** iovec arrays from the NIC's segments: what the kernel gets, and what is refused. No tap needed. */
class TapIovecTest {

    @Test
    void segmentsBecomeIovecsInOrderAndEmptyOnesAreSkipped() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment iov = arena.allocate(TapNative.IOVEC_SIZE * TapNative.IOV_MAX, 8);
            MemorySegment a = arena.allocate(10);
            MemorySegment b = arena.allocate(1500);
            int n = TapIovec.fill(iov, new MemorySegment[] {a, a.asSlice(0, 0), b});
            assertEquals(2, n);
            assertEquals(a.address(), iov.get(ValueLayout.JAVA_LONG, 0));
            assertEquals(10, iov.get(ValueLayout.JAVA_LONG, 8));
            assertEquals(b.address(), iov.get(ValueLayout.JAVA_LONG, 16));
            assertEquals(1500, iov.get(ValueLayout.JAVA_LONG, 24));
            assertEquals(1510, TapIovec.capacity(iov, n));
        }
    }

    @Test
    void heapSegmentsAndTooManySegmentsAreRefused() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment iov = arena.allocate(TapNative.IOVEC_SIZE * TapNative.IOV_MAX, 8);
            String msg = assertThrows(IllegalArgumentException.class,
                    () -> TapIovec.fill(iov, new MemorySegment[] {MemorySegment.ofArray(new byte[64])})).getMessage();
            assertTrue(msg.contains("native memory"), msg);
            MemorySegment one = arena.allocate(1);
            MemorySegment[] many = new MemorySegment[TapNative.IOV_MAX + 1];
            java.util.Arrays.fill(many, one);
            msg = assertThrows(IllegalArgumentException.class, () -> TapIovec.fill(iov, many)).getMessage();
            assertTrue(msg.contains("at most 1024"), msg);
        }
    }
}
