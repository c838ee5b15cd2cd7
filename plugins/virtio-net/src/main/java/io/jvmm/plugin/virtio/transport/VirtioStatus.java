package io.jvmm.plugin.virtio.transport;

/** Device status bits (virtio 1.2, section 2.1). */
public final class VirtioStatus {
    public static final int ACKNOWLEDGE = 1;
    public static final int DRIVER = 2;
    public static final int DRIVER_OK = 4;
    public static final int FEATURES_OK = 8;
    public static final int DEVICE_NEEDS_RESET = 0x40;
    public static final int FAILED = 0x80;

    private VirtioStatus() {
    }
}
