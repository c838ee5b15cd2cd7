package io.jvmm.core.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.spi.memory.GuestMemoryException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GuestRamTest {
    private static final long MIB = 1 << 20;

    @Test
    void accessesInsideRamWorkLittleEndian() {
        try (GuestRam ram = MemoryBackends.create("ram", 2 * MIB, Optional.empty(), false)) {
            ram.writeU32(0x1000, 0x11223344);
            assertEquals(0x44, ram.readU8(0x1000));
            assertEquals(0x3344, ram.readU16(0x1000));
            ram.writeU64(2 * MIB - 8, -2L);
            assertEquals(-2L, ram.readU64(2 * MIB - 8));
            assertEquals(2 * MIB, ram.size());
        }
    }

    @Test
    void nothingOutsideRamIsReachable() {
        try (GuestRam ram = MemoryBackends.create("ram", 2 * MIB, Optional.empty(), false)) {
            assertThrows(GuestMemoryException.class, () -> ram.readU32(2 * MIB - 2));
            assertThrows(GuestMemoryException.class, () -> ram.readU8(-1));
            assertThrows(GuestMemoryException.class, () -> ram.slice(0x1000, Long.MAX_VALUE));
            assertThrows(GuestMemoryException.class, () -> ram.slice(Long.MAX_VALUE - 4, 16));
            assertThrows(GuestMemoryException.class, () -> ram.slice(0x1000, -1));
            assertFalse(ram.contains(2 * MIB - 4, 8));
            assertTrue(ram.contains(2 * MIB - 8, 8));
            byte[] buf = new byte[16];
            assertThrows(GuestMemoryException.class, () -> ram.read(2 * MIB - 8, buf, 0, 16));
        }
    }

    @Test
    void largeRamIsSplitAroundThePciHoleAsQ35Does() {
        var layout = RamLayout.pc(3L << 30);
        assertEquals(2, layout.size());
        assertEquals(0x80000000L, layout.get(0).length());
        assertEquals(1L << 32, layout.get(1).guestAddress());
        assertEquals((3L << 30) - 0x80000000L, layout.get(1).length());
    }

    @Test
    void sharedFileBackendIsVisibleThroughASecondMapping(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("ram");
        try (GuestRam ram = MemoryBackends.create("file", 4 * MIB, Optional.of(file), true);
                Arena arena = Arena.ofConfined();
                FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MemorySegment other = ch.map(FileChannel.MapMode.READ_WRITE, 0, 4 * MIB, arena);
            ram.writeU32(0x2000, 0xcafebabe);
            assertEquals(0xcafebabe, other.get(ValueLayout.JAVA_INT_UNALIGNED, 0x2000));
            other.set(ValueLayout.JAVA_BYTE, 0x3000, (byte) 7);
            assertEquals(7, ram.readU8(0x3000));
            assertEquals("file", ram.ramBackendInfo().kind());
            assertTrue(ram.ramBackendInfo().shared());
        }
        assertEquals(4 * MIB, Files.size(file));
    }

    @Test
    void memfdBackendHasADescriptorAndAdoptingAnotherKeepsAddresses() {
        try (GuestRam a = MemoryBackends.create("memfd", 2 * MIB, Optional.empty(), true);
                GuestRam b = MemoryBackends.create("memfd", 2 * MIB, Optional.empty(), true)) {
            int fdA = a.ramBackendInfo().fd().orElseThrow();
            a.writeU32(0x100, 42);
            MemorySegment bSlice = b.slice(0x100, 4);
            // b takes over a's pages (local migration passes the memfd); slices stay valid.
            int dup = Integer.parseInt(java.nio.file.Paths.get("/proc/self/fd/" + fdA).getFileName().toString());
            int fdCopy = io.jvmm.core.os.LibC.open("/proc/self/fd/" + dup, io.jvmm.core.os.LibC.O_RDWR, 0);
            b.adoptSharedBacking(fdCopy, "memfd");
            assertEquals(42, bSlice.get(ValueLayout.JAVA_INT_UNALIGNED, 0));
            b.writeU32(0x104, 7);
            assertEquals(7, a.readU32(0x104));
        }
    }

    @Test
    void badBackendsSayWhatToDo() {
        var e = assertThrows(RuntimeException.class, () -> MemoryBackends.create("file", 2 * MIB, Optional.empty(), true));
        assertTrue(e.getMessage().contains("needs a path"), e.getMessage());
        e = assertThrows(RuntimeException.class, () -> MemoryBackends.create("hugepages", 2 * MIB, Optional.empty(), true));
        assertTrue(e.getMessage().contains("known: ram, memfd, file"), e.getMessage());
        e = assertThrows(RuntimeException.class, () -> MemoryBackends.create("ram", 1000, Optional.empty(), false));
        assertTrue(e.getMessage().contains("multiple of 4 KiB"), e.getMessage());
    }
}
