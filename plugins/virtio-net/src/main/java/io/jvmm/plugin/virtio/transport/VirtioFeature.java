package io.jvmm.plugin.virtio.transport;

/** Feature bits the transport and the virtqueues define (virtio 1.2, section 6), as bit numbers. */
public final class VirtioFeature {
    /** Legacy only: interrupt when the available ring runs empty. */
    public static final int NOTIFY_ON_EMPTY = 24;
    /** Legacy only: the header need not be in its own descriptor. */
    public static final int ANY_LAYOUT = 27;
    public static final int RING_INDIRECT_DESC = 28;
    public static final int RING_EVENT_IDX = 29;
    /** Legacy only: a driver that acknowledges it negotiated blindly (QEMU offers it to catch that). */
    public static final int BAD_FEATURE = 30;
    public static final int VERSION_1 = 32;
    public static final int RING_RESET = 40;

    private VirtioFeature() {
    }

    public static long bit(int feature) {
        return 1L << feature;
    }

    public static boolean has(long features, int feature) {
        return (features & (1L << feature)) != 0;
    }
}
