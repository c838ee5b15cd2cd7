package io.jvmm.spi.pci;

import io.jvmm.spi.memory.IoHandler;

/**
 * A base address register. The size is a power of two; the config-space emulation implements
 * sizing (all-ones write) and maps {@code handler} where the guest places the BAR, while the
 * command register enables decoding.
 */
public record PciBarSpec(int index, Kind kind, long size, boolean prefetchable, IoHandler handler) {

    public enum Kind {
        IO,
        MEMORY32,
        /** Uses BAR index and index+1. */
        MEMORY64
    }

    public PciBarSpec {
        if (size <= 0 || Long.bitCount(size) != 1) {
            throw new IllegalArgumentException("BAR " + index + " size must be a power of two: " + size);
        }
        if (index < 0 || index > 5 || (kind == Kind.MEMORY64 && index > 4)) {
            throw new IllegalArgumentException("bad BAR index " + index);
        }
    }
}
