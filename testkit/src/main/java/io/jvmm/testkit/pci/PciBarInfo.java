package io.jvmm.testkit.pci;

/**
 * A BAR as sizing revealed it.
 *
 * @param address the assigned address, or 0 while unassigned
 */
public record PciBarInfo(int index, Type type, boolean prefetchable, long size, long address) {
    public enum Type {
        IO,
        MEMORY32,
        MEMORY64
    }

    public PciBarInfo withAddress(long a) {
        return new PciBarInfo(index, type, prefetchable, size, a);
    }

    @Override
    public String toString() {
        return "BAR" + index + " " + type + (prefetchable ? " prefetch" : "") + " size 0x" + Long.toHexString(size)
                + (address != 0 ? " @0x" + Long.toHexString(address) : "");
    }
}
