package io.jvmm.plugin.virtio.transport;

/**
 * Where QEMU 7.2 puts a virtio PCI function's registers, which jvmm copies so a guest (or a test)
 * sees the same device: checked against QEMU 7.2 by the conformance tests and by reading config
 * space of {@code -device virtio-net-pci} under qtest.
 *
 * <pre>
 * BAR0  I/O, legacy registers (transitional devices only), 24 + config bytes rounded to a power of 2
 * BAR1  32-bit memory, 4 KiB: MSI-X table at 0, pending bits at 0x800
 * BAR4  64-bit prefetchable memory, 16 KiB: common 0x0000, ISR 0x1000, device 0x2000, notify 0x3000
 * capabilities: 0x98 MSI-X -> 0x84 PCI cfg access -> 0x70 notify -> 0x60 device -> 0x50 ISR -> 0x40 common
 * </pre>
 */
public final class VirtioPciLayout {
    public static final int VENDOR_ID = 0x1af4;
    /** Transitional device ids are 0x1000 + device id - 1; modern ones 0x1040 + device id. */
    public static final int TRANSITIONAL_DEVICE_ID_BASE = 0x0fff;
    public static final int MODERN_DEVICE_ID_BASE = 0x1040;
    /** QEMU's subsystem id for modern-only virtio functions (PCI_SUBSYSTEM_ID_QEMU). */
    public static final int MODERN_SUBSYSTEM_ID = 0x1100;

    public static final int LEGACY_BAR = 0;
    public static final int MSIX_BAR = 1;
    public static final int MODERN_BAR = 4;

    public static final int MODERN_BAR_SIZE = 0x4000;
    public static final int REGION_SIZE = 0x1000;
    public static final int COMMON_OFFSET = 0x0000;
    public static final int ISR_OFFSET = 0x1000;
    public static final int DEVICE_OFFSET = 0x2000;
    public static final int NOTIFY_OFFSET = 0x3000;
    /** QEMU 7.2 without page-per-vq: each queue's doorbell is 4 bytes after the previous one. */
    public static final int NOTIFY_OFF_MULTIPLIER = 4;

    public static final int CAP_COMMON = 0x40;
    public static final int CAP_ISR = 0x50;
    public static final int CAP_DEVICE = 0x60;
    public static final int CAP_NOTIFY = 0x70;
    public static final int CAP_PCI_CFG = 0x84;
    public static final int CAP_MSIX = 0x98;
    /** In the PCI cfg access capability: bar (1 byte), offset, length, then the data window. */
    public static final int PCI_CFG_BAR = CAP_PCI_CFG + 4;
    public static final int PCI_CFG_OFFSET = CAP_PCI_CFG + 8;
    public static final int PCI_CFG_LENGTH = CAP_PCI_CFG + 12;
    public static final int PCI_CFG_DATA = CAP_PCI_CFG + 16;

    public static final int VIRTIO_PCI_CAP_COMMON_CFG = 1;
    public static final int VIRTIO_PCI_CAP_NOTIFY_CFG = 2;
    public static final int VIRTIO_PCI_CAP_ISR_CFG = 3;
    public static final int VIRTIO_PCI_CAP_DEVICE_CFG = 4;
    public static final int VIRTIO_PCI_CAP_PCI_CFG = 5;

    // Common configuration structure (virtio 1.2, 4.1.4.3)
    public static final int COMMON_DFSELECT = 0x00;
    public static final int COMMON_DF = 0x04;
    public static final int COMMON_GFSELECT = 0x08;
    public static final int COMMON_GF = 0x0c;
    public static final int COMMON_MSIX = 0x10;
    public static final int COMMON_NUMQ = 0x12;
    public static final int COMMON_STATUS = 0x14;
    public static final int COMMON_CFGGENERATION = 0x15;
    public static final int COMMON_Q_SELECT = 0x16;
    public static final int COMMON_Q_SIZE = 0x18;
    public static final int COMMON_Q_MSIX = 0x1a;
    public static final int COMMON_Q_ENABLE = 0x1c;
    public static final int COMMON_Q_NOFF = 0x1e;
    public static final int COMMON_Q_DESCLO = 0x20;
    public static final int COMMON_Q_DESCHI = 0x24;
    public static final int COMMON_Q_AVAILLO = 0x28;
    public static final int COMMON_Q_AVAILHI = 0x2c;
    public static final int COMMON_Q_USEDLO = 0x30;
    public static final int COMMON_Q_USEDHI = 0x34;
    public static final int COMMON_Q_NDATA = 0x38;
    public static final int COMMON_Q_RESET = 0x3a;

    // Legacy I/O registers (virtio 1.2, 4.1.4.8)
    public static final int LEGACY_HOST_FEATURES = 0;
    public static final int LEGACY_GUEST_FEATURES = 4;
    public static final int LEGACY_QUEUE_PFN = 8;
    public static final int LEGACY_QUEUE_NUM = 12;
    public static final int LEGACY_QUEUE_SEL = 14;
    public static final int LEGACY_QUEUE_NOTIFY = 16;
    public static final int LEGACY_STATUS = 18;
    public static final int LEGACY_ISR = 19;
    public static final int LEGACY_MSIX_CONFIG = 20;
    public static final int LEGACY_MSIX_QUEUE = 22;

    private VirtioPciLayout() {
    }

    /** Legacy BAR size: registers (20 bytes, 24 with MSI-X) plus device config, a power of two. */
    public static long legacyBarSize(boolean msix, int configSize) {
        long need = (msix ? 24 : 20) + configSize;
        return Long.highestOneBit(need - 1) << 1;
    }

    /**
     * MSI-X BAR size and PBA offset as QEMU's msix_init_exclusive_bar computes them: 4 KiB with
     * the table in the lower and the PBA in the upper half up to 128 vectors, else the PBA right after
     * the table and the BAR rounded up to a power of two.
     */
    public static long[] msixBarLayout(int vectors) {
        long barSize = 4096;
        long pbaOffset = barSize / 2;
        long pbaSize = ((vectors + 63) / 64) * 8L;
        if (vectors * 16L > pbaOffset) {
            pbaOffset = vectors * 16L;
        }
        if (pbaOffset + pbaSize > 4096) {
            barSize = Long.highestOneBit(pbaOffset + pbaSize - 1) << 1;
        }
        return new long[] {barSize, pbaOffset};
    }
}
