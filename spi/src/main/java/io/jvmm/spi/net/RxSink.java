package io.jvmm.spi.net;

import java.lang.foreign.MemorySegment;

/**
 * The receiving side (a NIC) of one backend queue. The backend's I/O thread asks for buffers
 * before it reads, and reads straight into them: no heap copy. When there are no buffers it stops
 * reading, so frames wait in the kernel instead of being dropped, until {@link NetQueue#rxReady()}.
 */
public interface RxSink {

    /**
     * Buffers (guest memory) for one frame of at most {@code maxFrameLength} bytes including the
     * vnet header, or null when the guest has posted none.
     */
    RxBuffers acquire(int maxFrameLength);

    /** The frame landed: {@code length} bytes were written into {@code buffers} (header included). */
    void complete(RxBuffers buffers, int length);

    /** The frame could not be read (backend error); give the buffers back unused. */
    void abandon(RxBuffers buffers);

    /** End of a batch: notify the guest once. */
    void flush();

    /** Buffers for one frame: segments filled in order. */
    interface RxBuffers {
        MemorySegment[] segments();
    }
}
