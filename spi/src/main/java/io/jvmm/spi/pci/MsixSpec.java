package io.jvmm.spi.pci;

/**
 * MSI-X: table and pending-bit array inside BARs (QEMU places both in one exclusive BAR).
 *
 * @param capabilityOffset where the MSI-X capability goes in config space (0: automatic)
 */
public record MsixSpec(int vectors, int tableBar, long tableOffset, int pbaBar, long pbaOffset, int capabilityOffset) {
}
