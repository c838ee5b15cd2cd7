package io.jvmm.testkit.pci;

/** A capability found in the list: its id (0x11 MSI-X, 0x10 PCIe, ...) and config-space offset. */
public record PciCapabilityInfo(int id, int offset) {
    @Override
    public String toString() {
        return String.format("cap 0x%02x@0x%02x", id, offset);
    }
}
