package io.jvmm.spi.migration;

/**
 * Implemented by the migration state ({@code VmStateful}) of a device with QEMU's
 * {@code local-migration} property (virtio-net-pci): whether the device lets its backend hand its
 * host resources (tap descriptors) to the target in a local migration. The migration engine compares
 * the flag on both sides before the source stops and hands over a backend only when it is on for
 * the device using it, on both sides.
 */
public interface LocalMigrationOptIn {

    /** The device's {@code local-migration} property. */
    boolean localMigrationEnabled();

    /** The id of the netdev the device uses ({@code netdev=}). */
    String backendId();
}
