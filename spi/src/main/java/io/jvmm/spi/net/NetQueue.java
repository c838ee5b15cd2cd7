package io.jvmm.spi.net;

import java.lang.foreign.MemorySegment;

/** One queue (pair) of a backend. */
public interface NetQueue {

    int index();

    /**
     * Sends one frame gathered from {@code segments} (the vnet header first when the backend uses
     * one). Returns false if the backend cannot take it now (queue full); the caller retries after
     * {@link TxSource#txReady()}.
     */
    boolean send(MemorySegment[] segments);

    /** Attaches the receiving side; frames flow once the VM runs and buffers are there. */
    void attach(RxSink sink, TxSource source);

    /** The NIC posted receive buffers after {@link RxSink#acquire} returned null. */
    void rxReady();

    /** Enables or disables the queue (virtio-net MQ, TUNSETQUEUE). */
    void setEnabled(boolean enabled);

    boolean enabled();

    /** Called by the backend when a previously refused send can be retried. */
    interface TxSource {
        void txReady();
    }
}
