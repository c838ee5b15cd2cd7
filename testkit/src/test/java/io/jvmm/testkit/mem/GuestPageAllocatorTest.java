package io.jvmm.testkit.mem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GuestPageAllocatorTest {

    @Test
    void allocatesAlignedPagesAndReusesFreedOnes() {
        GuestPageAllocator a = new GuestPageAllocator(0x100000, 0x110000);
        long x = a.alloc(1);
        long y = a.alloc(0x2000);
        long z = a.alloc(0x1000, 0x4000);
        assertEquals(0x100000, x);
        assertEquals(0x101000, y);
        assertEquals(0, z % 0x4000);
        assertEquals(0x104000, z);
        a.free(y);
        assertEquals(0x101000, a.alloc(0x1000), "the freed range is found first");
        a.free(0x101000);
        a.free(x);
        a.free(z);
        assertEquals(0x10000, a.freeBytes(), "everything coalesces back");
        assertEquals(0x100000, a.alloc(0x10000), "a full-size allocation works after coalescing");
    }

    @Test
    void exhaustionAndBadFreesAreClearErrors() {
        GuestPageAllocator a = new GuestPageAllocator(0x1000, 0x3000);
        a.alloc(0x2000);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> a.alloc(1));
        assertTrue(e.getMessage().contains("exhausted"));
        assertThrows(IllegalArgumentException.class, () -> a.free(0x5000));
        assertThrows(IllegalArgumentException.class, () -> a.alloc(0));
        assertThrows(IllegalArgumentException.class, () -> a.alloc(4096, 3));
    }

    @Test
    void q35RangeStopsBelowTheEcamHole() {
        assertEquals(0x8000_0000L, GuestPageAllocator.forQ35(4L << 30).end(), "with 4 GiB, RAM below 4 GiB ends at 2 GiB");
        assertEquals(0xB000_0000L, GuestPageAllocator.forQ35(0xB000_0000L - 4096).end() + 4096);
        assertEquals(128L << 20, GuestPageAllocator.forQ35(128L << 20).end());
    }
}
