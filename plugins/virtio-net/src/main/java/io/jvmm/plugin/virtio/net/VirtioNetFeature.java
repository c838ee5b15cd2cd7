package io.jvmm.plugin.virtio.net;

/** virtio-net feature bits (virtio 1.2, 5.1.3), as bit numbers. */
public final class VirtioNetFeature {
    public static final int CSUM = 0;
    public static final int GUEST_CSUM = 1;
    public static final int CTRL_GUEST_OFFLOADS = 2;
    public static final int MTU = 3;
    public static final int MAC = 5;
    /** Legacy only (QEMU offers it through the legacy interface). */
    public static final int GSO = 6;
    public static final int GUEST_TSO4 = 7;
    public static final int GUEST_TSO6 = 8;
    public static final int GUEST_ECN = 9;
    public static final int GUEST_UFO = 10;
    public static final int HOST_TSO4 = 11;
    public static final int HOST_TSO6 = 12;
    public static final int HOST_ECN = 13;
    public static final int HOST_UFO = 14;
    public static final int MRG_RXBUF = 15;
    public static final int STATUS = 16;
    public static final int CTRL_VQ = 17;
    public static final int CTRL_RX = 18;
    public static final int CTRL_VLAN = 19;
    public static final int CTRL_RX_EXTRA = 20;
    public static final int GUEST_ANNOUNCE = 21;
    public static final int MQ = 22;
    public static final int CTRL_MAC_ADDR = 23;

    /** Guest receive offloads the control queue may switch (VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET). */
    public static final long GUEST_OFFLOAD_MASK = bit(GUEST_CSUM) | bit(GUEST_TSO4) | bit(GUEST_TSO6) | bit(GUEST_ECN)
            | bit(GUEST_UFO);

    private VirtioNetFeature() {
    }

    public static long bit(int feature) {
        return 1L << feature;
    }

    public static boolean has(long features, int feature) {
        return (features & (1L << feature)) != 0;
    }
}
