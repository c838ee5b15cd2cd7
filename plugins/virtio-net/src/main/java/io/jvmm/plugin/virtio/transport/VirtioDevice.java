package io.jvmm.plugin.virtio.transport;

/**
 * A virtio device model (net today; block or vsock could follow) as a transport drives it. The
 * transport owns the registers, the virtqueues and interrupts; the device owns its feature bits,
 * its configuration space and what happens when a queue is kicked. Calls come with the VM's device
 * lock held (guest register accesses).
 */
public interface VirtioDevice {

    /** The virtio device id (1 network, 2 block, 19 vsock). */
    int deviceId();

    /** Every feature the device offers, including transport bits such as VERSION_1. */
    long hostFeatures();

    /** Bits offered only through the legacy interface (for example virtio-net's GSO). */
    default long legacyOnlyFeatures() {
        return 0;
    }

    /** Bytes of device configuration space. */
    int configSize();

    /** The most queues the device can have, under any feature set. */
    int maxQueues();

    /** Queues the driver sees now (may depend on negotiated features, as virtio-net's MQ). */
    int queueCount();

    /** Largest size of queue {@code index} under the current features. */
    int queueMaxSize(int index);

    /** Reads device configuration space; offset and size are already range-checked. */
    long readConfig(int offset, int size);

    void writeConfig(int offset, int size, long value);

    /**
     * The driver accepted {@code features} (FEATURES_OK, or the legacy guest-features write). The
     * transport rebuilds its queues afterwards if {@link #queueCount()} or sizes changed.
     */
    void featuresNegotiated(long features);

    /** The driver set DRIVER_OK: start moving data. */
    void driverOk();

    /** The driver kicked queue {@code index}. */
    void queueNotified(int index);

    /** Device reset (status 0 written, or system reset): back to power-on state, queues already reset. */
    void reset();

    /** One queue was reset through VIRTIO_F_RING_RESET. */
    default void queueReset(int index) {
    }
}
