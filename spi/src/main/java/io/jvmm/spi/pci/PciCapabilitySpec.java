package io.jvmm.spi.pci;

/**
 * A capability in the standard list (offset 0x34 chain).
 *
 * @param id capability id (0x09 vendor, 0x11 MSI-X, 0x10 PCIe, 0x05 MSI ...)
 * @param offset fixed offset in config space (to match QEMU's layout), or 0 to place it
 *     automatically after the previous one
 * @param body the bytes after the id and next-pointer (the capability's length is body.length + 2)
 * @param writableMask per body byte, bits the guest may write (null: read-only)
 */
public record PciCapabilitySpec(int id, int offset, byte[] body, byte[] writableMask) {
}
