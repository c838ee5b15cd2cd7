package io.jvmm.testkit.virtio;

import io.jvmm.testkit.QtestClient;
import io.jvmm.testkit.pci.PciAddress;
import io.jvmm.testkit.pci.PciBarAssigner;
import io.jvmm.testkit.pci.PciBarInfo;
import io.jvmm.testkit.pci.PciCapabilityInfo;
import io.jvmm.testkit.pci.PciConfig;
import io.jvmm.testkit.pci.PciEnumerator;
import io.jvmm.testkit.pci.PciFunctionInfo;
import java.util.HashMap;
import java.util.Map;

/**
 * The guest side of the virtio 1.x PCI transport (virtio 1.2, 4.1): finds the common, notify,
 * ISR and device regions through the vendor capabilities, negotiates features and sets up
 * queues, all through qtest register accesses. Works the same against QEMU and jvmm.
 */
public final class VirtioPciDriver {
    public static final int CAP_VENDOR = 0x09;
    public static final int COMMON_CFG = 1, NOTIFY_CFG = 2, ISR_CFG = 3, DEVICE_CFG = 4, PCI_CFG = 5;
    public static final int ACKNOWLEDGE = 1, DRIVER = 2, DRIVER_OK = 4, FEATURES_OK = 8, NEEDS_RESET = 0x40;
    public static final int NO_VECTOR = 0xffff;

    // struct virtio_pci_common_cfg
    static final int DFSELECT = 0x00, DF = 0x04, GFSELECT = 0x08, GF = 0x0c, MSIX_CONFIG = 0x10, NUMQ = 0x12;
    static final int STATUS = 0x14, Q_SELECT = 0x16, Q_SIZE = 0x18, Q_MSIX = 0x1a, Q_ENABLE = 0x1c, Q_NOFF = 0x1e;
    static final int Q_DESC = 0x20, Q_AVAIL = 0x28, Q_USED = 0x30;

    private final QtestClient qtest;
    private final PciConfig cfg;
    private final PciFunctionInfo function;
    /** cfg_type to {guest address, length} of the first capability of that type. */
    private final Map<Integer, long[]> regions = new HashMap<>();
    private final Map<Integer, Integer> capOffsets = new HashMap<>();
    private final int notifyMultiplier;

    /** {@code function} must have its BARs assigned ({@link PciBarAssigner}). */
    public VirtioPciDriver(QtestClient qtest, PciConfig cfg, PciFunctionInfo function) {
        this.qtest = qtest;
        this.cfg = cfg;
        this.function = function;
        PciAddress a = function.address();
        int multiplier = -1;
        for (PciCapabilityInfo cap : PciEnumerator.capabilities(cfg, a)) {
            if (cap.id() != CAP_VENDOR) {
                continue;
            }
            int type = cfg.readU8(a, cap.offset() + 3);
            int bar = cfg.readU8(a, cap.offset() + 4);
            long offset = cfg.readU32(a, cap.offset() + 8) & 0xffffffffL;
            long length = cfg.readU32(a, cap.offset() + 12) & 0xffffffffL;
            capOffsets.putIfAbsent(type, cap.offset());
            if (type == PCI_CFG || regions.containsKey(type)) {
                continue;
            }
            PciBarInfo b = function.bar(bar).orElseThrow(() -> new IllegalStateException(
                    a + ": virtio capability type " + type + " names BAR " + bar + " which does not exist"));
            if (b.address() == 0) {
                throw new IllegalStateException(a + ": BAR " + bar + " is not assigned");
            }
            regions.put(type, new long[] {b.address() + offset, length});
            if (type == NOTIFY_CFG) {
                multiplier = cfg.readU32(a, cap.offset() + 16);
            }
        }
        for (int t : new int[] {COMMON_CFG, NOTIFY_CFG, ISR_CFG, DEVICE_CFG}) {
            if (!regions.containsKey(t)) {
                throw new IllegalStateException(a + ": no virtio capability of type " + t + " (not a modern virtio device?)");
            }
        }
        this.notifyMultiplier = multiplier;
        int cmd = cfg.readU16(a, PciEnumerator.COMMAND);
        cfg.writeU16(a, PciEnumerator.COMMAND, cmd | PciBarAssigner.CMD_MEMORY | PciBarAssigner.CMD_MASTER | PciBarAssigner.CMD_IO);
    }

    public PciFunctionInfo function() {
        return function;
    }

    public QtestClient qtest() {
        return qtest;
    }

    /** Config-space offset of the first vendor capability of {@code type}, or -1. */
    public int capabilityOffset(int type) {
        return capOffsets.getOrDefault(type, -1);
    }

    public long regionAddress(int type) {
        return regions.get(type)[0];
    }

    public int notifyMultiplier() {
        return notifyMultiplier;
    }

    private long common(int off) {
        return regions.get(COMMON_CFG)[0] + off;
    }

    public int status() {
        return qtest.readb(common(STATUS));
    }

    public void setStatus(int s) {
        qtest.writeb(common(STATUS), s);
    }

    public void reset() {
        setStatus(0);
    }

    public long deviceFeatures() {
        qtest.writel(common(DFSELECT), 0);
        long lo = qtest.readl(common(DF)) & 0xffffffffL;
        qtest.writel(common(DFSELECT), 1);
        return lo | (qtest.readl(common(DF)) & 0xffffffffL) << 32;
    }

    /** Reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK; returns whether FEATURES_OK stuck. */
    public boolean negotiate(long features) {
        reset();
        setStatus(ACKNOWLEDGE);
        setStatus(ACKNOWLEDGE | DRIVER);
        qtest.writel(common(GFSELECT), 0);
        qtest.writel(common(GF), (int) features);
        qtest.writel(common(GFSELECT), 1);
        qtest.writel(common(GF), (int) (features >>> 32));
        setStatus(ACKNOWLEDGE | DRIVER | FEATURES_OK);
        return (status() & FEATURES_OK) != 0;
    }

    public void driverOk() {
        setStatus(ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK);
    }

    public int numQueues() {
        return qtest.readw(common(NUMQ));
    }

    public int queueMaxSize(int q) {
        qtest.writew(common(Q_SELECT), q);
        return qtest.readw(common(Q_SIZE));
    }

    public void setConfigVector(int v) {
        qtest.writew(common(MSIX_CONFIG), v);
    }

    public int configVector() {
        return qtest.readw(common(MSIX_CONFIG));
    }

    /** Programs and enables queue {@code q} with the rings of {@code vq}. */
    public void enableQueue(DriverVirtqueue vq, int vector) {
        qtest.writew(common(Q_SELECT), vq.index());
        qtest.writew(common(Q_SIZE), vq.size());
        // 64-bit fields as two 32-bit writes: the spec allows drivers only 32-bit accesses there
        write64(Q_DESC, vq.descAddress());
        write64(Q_AVAIL, vq.availAddress());
        write64(Q_USED, vq.usedAddress());
        qtest.writew(common(Q_MSIX), vector);
        qtest.writew(common(Q_ENABLE), 1);
        vq.setNotifyAddress(regions.get(NOTIFY_CFG)[0] + (long) qtest.readw(common(Q_NOFF)) * notifyMultiplier);
    }

    private void write64(int off, long v) {
        qtest.writel(common(off), (int) v);
        qtest.writel(common(off + 4), (int) (v >>> 32));
    }

    public int readDeviceConfig8(int off) {
        return qtest.readb(regions.get(DEVICE_CFG)[0] + off);
    }

    public int readDeviceConfig16(int off) {
        return qtest.readw(regions.get(DEVICE_CFG)[0] + off);
    }

    /** Reads and clears the ISR. */
    public int isr() {
        return qtest.readb(regions.get(ISR_CFG)[0]);
    }
}
