package io.jvmm.spi.net;

import io.jvmm.spi.lifecycle.Pausable;
import io.jvmm.spi.vmstate.VmStateful;
import java.util.List;
import java.util.Optional;

/**
 * A network backend: N queues, a vnet header if the host side supports one, offloads. Paused
 * backends move no frames at all.
 */
public interface NetBackend extends Pausable, AutoCloseable {

    String id();

    /** The netdev type ({@code tap}, {@code socket}). */
    String type();

    List<NetQueue> queues();

    /** Whether frames carry a virtio-net header on the host side. */
    boolean hasVnetHeader();

    /** Sets the header length in use (10, or 12 with MRG_RXBUF or VERSION_1). */
    void setVnetHeaderLength(int length);

    int vnetHeaderLength();

    /** Which offloads the host side can accept (empty without a vnet header). */
    Offloads supportedOffloads();

    /** Tells the host side what the guest accepts (TUNSETOFFLOAD). */
    void setOffloads(Offloads offloads);

    default boolean linkUp() {
        return true;
    }

    /** State that travels in a migration (the tap's per-queue descriptors, header, offloads). */
    default Optional<VmStateful> migrationState() {
        return Optional.empty();
    }

    /** Local-migration capability (descriptor handoff), when the backend supports it. */
    default Optional<LocalMigratable> localMigration() {
        return Optional.empty();
    }

    @Override
    void close();
}
