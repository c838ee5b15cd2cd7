package io.jvmm.spi.pci;

/**
 * What identifies a function in its configuration header.
 *
 * @param classCode 24 bits: base class, sub class, programming interface
 * @param headerType 0 (endpoint) or 1 (PCI-to-PCI bridge); bit 7 (multi-function) added by the bus
 * @param interruptPin 0 none, 1 INTA# .. 4 INTD#
 */
public record PciIdentity(
        int vendorId,
        int deviceId,
        int subsystemVendorId,
        int subsystemId,
        int revision,
        int classCode,
        int headerType,
        int interruptPin) {
}
