package io.jvmm.testkit.pci;

/** Config-space access as a guest does it: through 0xcf8/0xcfc or through ECAM. */
public interface PciConfig {
    /** Reads 1, 2 or 4 bytes at {@code offset}; an absent function reads all-ones. */
    int read(PciAddress a, int offset, int size);

    void write(PciAddress a, int offset, int size, int value);

    /** Highest offset + 1 reachable (256 through the ports, 4096 through ECAM). */
    int limit();

    default int readU8(PciAddress a, int off) {
        return read(a, off, 1);
    }

    default int readU16(PciAddress a, int off) {
        return read(a, off, 2);
    }

    default int readU32(PciAddress a, int off) {
        return read(a, off, 4);
    }

    default void writeU8(PciAddress a, int off, int v) {
        write(a, off, 1, v);
    }

    default void writeU16(PciAddress a, int off, int v) {
        write(a, off, 2, v);
    }

    default void writeU32(PciAddress a, int off, int v) {
        write(a, off, 4, v);
    }
}
