package io.jvmm.spi.pci;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A PCI function as a device model describes it. The machine's config-space emulation (shared by
 * every device) builds the header, BARs, capability list and MSI-X from this description, so a
 * device only says what it is.
 */
public interface PciDevice {

    PciIdentity identity();

    default List<PciBarSpec> bars() {
        return List.of();
    }

    /** Capabilities in list order (MSI-X is added from {@link #msix()}). */
    default List<PciCapabilitySpec> capabilities() {
        return List.of();
    }

    default Optional<MsixSpec> msix() {
        return Optional.empty();
    }

    /** Called once the function is plugged, with the handle the device keeps. */
    default void realized(PciFunction function) {
    }

    /**
     * Lets a device answer a config read itself (virtio's PCI configuration access capability);
     * empty means the emulated config space answers.
     */
    default OptionalLong configRead(int offset, int size) {
        return OptionalLong.empty();
    }

    /** Called after the emulation applied a guest config write. */
    default void configWritten(int offset, int size, long value) {
    }

    /** Called when the guest changes bus mastering (DMA must stop when it is cleared). */
    default void busMasterChanged(boolean enabled) {
    }

    /** Function-level reset (system reset, bus reset). */
    default void reset() {
    }
}
