package io.jvmm.core.memory;

import io.jvmm.core.os.LibC;
import io.jvmm.spi.memory.GuestMemory;
import io.jvmm.spi.memory.GuestMemoryException;
import io.jvmm.spi.memory.RamBackendInfo;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Guest RAM: one host mapping (anonymous, memfd or file) laid out in guest-physical space by
 * {@link RamBlock}s. Every access is checked against the blocks, with overflow-safe arithmetic, so a
 * guest-supplied address can never reach host memory outside the mapping.
 */
public final class GuestRam implements GuestMemory, AutoCloseable {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final MemoryBackend backend;
    private final RamBlock[] blocks;
    private final MemorySegment mapping;

    GuestRam(MemoryBackend backend, List<RamBlock> layout) {
        this.backend = backend;
        this.blocks = layout.toArray(RamBlock[]::new);
        this.mapping = backend.segment();
        for (RamBlock b : blocks) {
            if (b.backingOffset() + b.length() > mapping.byteSize()) {
                throw new IllegalArgumentException("RAM block beyond backing: " + b);
            }
        }
    }

    public RamBackendInfo ramBackendInfo() {
        return backend.info();
    }

    /** The whole backing mapping (migration copies it page by page). */
    public MemorySegment backing() {
        return mapping;
    }

    public List<RamBlock> blocks() {
        return List.of(blocks);
    }

    /**
     * Replaces the pages behind the mapping with another process's memfd or file of the same size
     * (local migration): mapped MAP_FIXED over the same addresses, so every slice devices hold stays
     * valid. The descriptor is owned by this RAM afterwards.
     */
    public void adoptSharedBacking(int fd, String kind) {
        backend.adopt(fd, kind);
    }

    @Override
    public long size() {
        return mapping.byteSize();
    }

    /** Offset into the backing for a guest range, or throws if any byte lies outside RAM. */
    private long offsetOf(long guestAddress, long length) {
        if (length >= 0 && guestAddress >= 0) {
            for (RamBlock b : blocks) {
                long rel = guestAddress - b.guestAddress();
                if (rel >= 0 && rel < b.length() && length <= b.length() - rel) {
                    return b.backingOffset() + rel;
                }
            }
        }
        throw new GuestMemoryException(String.format("guest access 0x%x+%d is outside RAM", guestAddress, length));
    }

    @Override
    public boolean contains(long guestAddress, long length) {
        if (length < 0 || guestAddress < 0) {
            return false;
        }
        for (RamBlock b : blocks) {
            long rel = guestAddress - b.guestAddress();
            if (rel >= 0 && rel < b.length() && length <= b.length() - rel) {
                return true;
            }
        }
        return false;
    }

    @Override
    public MemorySegment slice(long guestAddress, long length) {
        return mapping.asSlice(offsetOf(guestAddress, length), length);
    }

    @Override
    public byte readU8(long a) {
        return mapping.get(ValueLayout.JAVA_BYTE, offsetOf(a, 1));
    }

    @Override
    public short readU16(long a) {
        return mapping.get(U16, offsetOf(a, 2));
    }

    @Override
    public int readU32(long a) {
        return mapping.get(U32, offsetOf(a, 4));
    }

    @Override
    public long readU64(long a) {
        return mapping.get(U64, offsetOf(a, 8));
    }

    @Override
    public void writeU8(long a, byte v) {
        mapping.set(ValueLayout.JAVA_BYTE, offsetOf(a, 1), v);
    }

    @Override
    public void writeU16(long a, short v) {
        mapping.set(U16, offsetOf(a, 2), v);
    }

    @Override
    public void writeU32(long a, int v) {
        mapping.set(U32, offsetOf(a, 4), v);
    }

    @Override
    public void writeU64(long a, long v) {
        mapping.set(U64, offsetOf(a, 8), v);
    }

    @Override
    public void read(long a, byte[] dst, int offset, int length) {
        java.util.Objects.checkFromIndexSize(offset, length, dst.length);
        MemorySegment.copy(mapping, ValueLayout.JAVA_BYTE, offsetOf(a, length), dst, offset, length);
    }

    @Override
    public void write(long a, byte[] src, int offset, int length) {
        java.util.Objects.checkFromIndexSize(offset, length, src.length);
        MemorySegment.copy(src, offset, mapping, ValueLayout.JAVA_BYTE, offsetOf(a, length), length);
    }

    @Override
    public void close() {
        backend.close();
    }

    /** The host side of guest RAM: a mapping and, for memfd and file, its descriptor. */
    static final class MemoryBackend implements AutoCloseable {
        private final String kind;
        private final Optional<String> path;
        private final boolean shared;
        private final long address;
        private final long size;
        private final MemorySegment segment;
        private int fd;
        private boolean closed;

        MemoryBackend(String kind, Optional<String> path, boolean shared, long address, long size, int fd) {
            this.kind = kind;
            this.path = path;
            this.shared = shared;
            this.address = address;
            this.size = size;
            this.fd = fd;
            this.segment = MemorySegment.ofAddress(address).reinterpret(size);
        }

        MemorySegment segment() {
            return segment;
        }

        synchronized RamBackendInfo info() {
            return new RamBackendInfo(kind, size, path, shared, fd >= 0 ? OptionalInt.of(fd) : OptionalInt.empty());
        }

        synchronized void adopt(int newFd, String newKind) {
            long newSize = LibC.fileSize(newFd);
            if (newSize < size) {
                throw new IllegalArgumentException("shared RAM of " + newSize + " bytes is smaller than this VM's "
                        + size + " bytes: the two sides must be started with the same memory size");
            }
            LibC.mmap(address, size, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED | LibC.MAP_FIXED, newFd, 0);
            if (fd >= 0) {
                LibC.close(fd);
            }
            fd = newFd;
        }

        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            LibC.munmap(address, size);
            if (fd >= 0) {
                LibC.close(fd);
                fd = -1;
            }
        }
    }
}
