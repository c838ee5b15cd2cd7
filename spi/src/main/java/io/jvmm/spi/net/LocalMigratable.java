package io.jvmm.spi.net;

/**
 * A backend that can hand its open host resources (descriptors) to another process on the same
 * host instead of being recreated there. The descriptors themselves travel in the backend's
 * vmstate as descriptor fields; this says whether the handoff is possible and what it needs.
 */
public interface LocalMigratable {

    /** True on a target whose backend was started empty, waiting for descriptors (incoming-fds). */
    boolean waitingForDescriptors();

    /** Number of descriptors this backend sends or expects (tap queues). */
    int descriptorCount();

    /** Source side, after a successful handoff: the target owns the host resource now. */
    void handedOver();

    /**
     * Target side: the incoming migration failed or was cancelled after this backend's state (and
     * descriptors) loaded. Close every descriptor received and wait for descriptors again; the
     * source keeps and goes on using its own.
     */
    default void abortIncoming() {
    }
}
