package io.jvmm.plugin.virtio.transport;

import static io.jvmm.plugin.virtio.transport.VirtioPciLayout.*;

import io.jvmm.plugin.virtio.queue.SplitVirtqueue;
import io.jvmm.plugin.virtio.queue.VirtioGuestError;
import io.jvmm.plugin.virtio.queue.VirtqueueState;
import io.jvmm.spi.memory.GuestMemory;
import io.jvmm.spi.memory.IoHandler;
import io.jvmm.spi.pci.MsixSpec;
import io.jvmm.spi.pci.PciBarSpec;
import io.jvmm.spi.pci.PciCapabilitySpec;
import io.jvmm.spi.pci.PciDevice;
import io.jvmm.spi.pci.PciFunction;
import io.jvmm.spi.pci.PciIdentity;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The virtio-over-PCI transport (virtio 1.2, section 4.1): the modern interface in BAR4 found
 * through vendor capabilities, the PCI configuration access capability, MSI-X, and for
 * transitional devices the legacy I/O BAR. Layout as QEMU 7.2's ({@link VirtioPciLayout}).
 *
 * <p>Register accesses arrive under the VM's device lock. Interrupts and {@link
 * #deviceNeedsReset} may also come from a backend's I/O thread; the ISR is atomic and INTx and
 * MSI-X signalling are serialized by {@code interruptLock}.
 */
public final class VirtioPciTransport implements PciDevice, VirtioTransport {

    private static final Logger log = LoggerFactory.getLogger(VirtioPciTransport.class);
    private static final int ISR_QUEUE = 1;
    private static final int ISR_CONFIG = 2;

    private final String id;
    private final VirtioDevice device;
    private final GuestMemory memory;
    private final boolean legacyInterface;
    private final int vectors;
    private final int classCode;
    private final SplitVirtqueue[] queues;
    private final AtomicInteger isr = new AtomicInteger();
    private final Object interruptLock = new Object();

    private PciFunction function;
    private volatile int status;
    private long driverFeatures;
    private volatile long negotiatedFeatures;
    private int deviceFeatureSelect;
    private int driverFeatureSelect;
    private int queueSelect;
    private int configVector = SplitVirtqueue.NO_VECTOR;
    private int configGeneration;
    /** The driver used the legacy registers (guest features or a queue PFN). */
    private boolean legacyMode;

    /**
     * @param legacyInterface transitional device (legacy I/O BAR, device id 0x1000 + id - 1)
     * @param vectors MSI-X vectors, 0 for none
     * @param classCode PCI class (0x020000 for a network controller)
     */
    public VirtioPciTransport(String id, VirtioDevice device, GuestMemory memory, boolean legacyInterface, int vectors,
            int classCode) {
        if (vectors < 0 || vectors > 2048) {
            throw new IllegalArgumentException("vectors must be 0..2048: " + vectors);
        }
        this.id = id;
        this.device = device;
        this.memory = memory;
        this.legacyInterface = legacyInterface;
        this.vectors = vectors;
        this.classCode = classCode;
        this.queues = new SplitVirtqueue[device.maxQueues()];
        for (int i = 0; i < queues.length; i++) {
            int max = i < device.queueCount() ? device.queueMaxSize(i) : 256;
            queues[i] = new SplitVirtqueue(i, max, memory);
        }
    }

    // ---- PciDevice -------------------------------------------------------------------------

    @Override
    public PciIdentity identity() {
        int deviceId = legacyInterface ? TRANSITIONAL_DEVICE_ID_BASE + device.deviceId()
                : MODERN_DEVICE_ID_BASE + device.deviceId();
        int subsystemId = legacyInterface ? device.deviceId() : MODERN_SUBSYSTEM_ID;
        return new PciIdentity(VENDOR_ID, deviceId, VENDOR_ID, subsystemId, legacyInterface ? 0 : 1, classCode, 0, 1);
    }

    @Override
    public List<PciBarSpec> bars() {
        List<PciBarSpec> bars = new ArrayList<>();
        if (legacyInterface) {
            bars.add(new PciBarSpec(LEGACY_BAR, PciBarSpec.Kind.IO, legacyBarSize(vectors > 0, device.configSize()), false,
                    new LegacyRegisters()));
        }
        if (vectors > 0) {
            // The PCI emulation decodes the MSI-X table and PBA inside this BAR (see msix()).
            bars.add(new PciBarSpec(MSIX_BAR, PciBarSpec.Kind.MEMORY32, msixBarLayout(vectors)[0], false,
                    IoHandler.UNASSIGNED));
        }
        bars.add(new PciBarSpec(MODERN_BAR, PciBarSpec.Kind.MEMORY64, MODERN_BAR_SIZE, true, new ModernRegisters()));
        return bars;
    }

    @Override
    public List<PciCapabilitySpec> capabilities() {
        // QEMU adds these in the order common, ISR, device, notify, cfg; each new one becomes the
        // list head, so the list reads cfg -> notify -> device -> ISR -> common.
        return List.of(
                vendorCap(CAP_PCI_CFG, VIRTIO_PCI_CAP_PCI_CFG, 0, 0, 0, 4, true),
                vendorCap(CAP_NOTIFY, VIRTIO_PCI_CAP_NOTIFY_CFG, MODERN_BAR, NOTIFY_OFFSET, REGION_SIZE, 4, false),
                vendorCap(CAP_DEVICE, VIRTIO_PCI_CAP_DEVICE_CFG, MODERN_BAR, DEVICE_OFFSET, REGION_SIZE, 0, false),
                vendorCap(CAP_ISR, VIRTIO_PCI_CAP_ISR_CFG, MODERN_BAR, ISR_OFFSET, REGION_SIZE, 0, false),
                vendorCap(CAP_COMMON, VIRTIO_PCI_CAP_COMMON_CFG, MODERN_BAR, COMMON_OFFSET, REGION_SIZE, 0, false));
    }

    /**
     * struct virtio_pci_cap after id and next: cap_len, cfg_type, bar, id, padding[2], offset,
     * length, then 4 extra bytes (notify_off_multiplier, or pci_cfg_data).
     */
    private static PciCapabilitySpec vendorCap(int offset, int type, int bar, int regionOffset, int length, int extra,
            boolean pciCfg) {
        byte[] body = new byte[14 + extra];
        body[0] = (byte) (16 + extra);
        body[1] = (byte) type;
        body[2] = (byte) bar;
        putLe32(body, 6, regionOffset);
        putLe32(body, 10, length);
        if (type == VIRTIO_PCI_CAP_NOTIFY_CFG) {
            putLe32(body, 14, NOTIFY_OFF_MULTIPLIER);
        }
        byte[] mask = null;
        if (pciCfg) {
            // The driver programs bar, offset and length, then reads or writes the data window.
            mask = new byte[body.length];
            mask[2] = (byte) 0xff;
            for (int i = 6; i < 18; i++) {
                mask[i] = (byte) 0xff;
            }
        }
        return new PciCapabilitySpec(0x09, offset, body, mask);
    }

    private static void putLe32(byte[] b, int at, int v) {
        for (int i = 0; i < 4; i++) {
            b[at + i] = (byte) (v >>> (8 * i));
        }
    }

    @Override
    public Optional<MsixSpec> msix() {
        if (vectors == 0) {
            return Optional.empty();
        }
        return Optional.of(new MsixSpec(vectors, MSIX_BAR, 0, MSIX_BAR, msixBarLayout(vectors)[1], CAP_MSIX));
    }

    @Override
    public void realized(PciFunction function) {
        this.function = function;
    }

    public PciFunction function() {
        return function;
    }

    @Override
    public OptionalLong configRead(int offset, int size) {
        if (offset >= PCI_CFG_DATA && offset < PCI_CFG_DATA + 4 && function != null && pciCfgWindowValid()) {
            // As QEMU: a valid window is read into pci_cfg_data, which then reads like config space;
            // an invalid one leaves pci_cfg_data as it was (0, or what the driver last wrote).
            int length = (int) function.configRead(PCI_CFG_LENGTH, 4);
            long offsetInBar = function.configRead(PCI_CFG_OFFSET, 4) & 0xffffffffL;
            long value = new ModernRegisters().read(offsetInBar, length) & mask(length);
            function.configSet(PCI_CFG_DATA, 4, value);
            int shift = (offset - PCI_CFG_DATA) * 8;
            return OptionalLong.of((value >>> shift) & mask(size));
        }
        return OptionalLong.empty();
    }

    @Override
    public void configWritten(int offset, int size, long value) {
        if (offset == PCI_CFG_DATA && function != null && pciCfgWindowValid()) {
            int length = (int) function.configRead(PCI_CFG_LENGTH, 4);
            long offsetInBar = function.configRead(PCI_CFG_OFFSET, 4) & 0xffffffffL;
            new ModernRegisters().write(offsetInBar, length, function.configRead(PCI_CFG_DATA, 4) & mask(length));
        }
    }

    /** The PCI configuration access capability names BAR4, a width of 1, 2 or 4, aligned, inside the BAR. */
    private boolean pciCfgWindowValid() {
        int bar = (int) function.configRead(PCI_CFG_BAR, 1);
        long offset = function.configRead(PCI_CFG_OFFSET, 4) & 0xffffffffL;
        int length = (int) function.configRead(PCI_CFG_LENGTH, 4);
        return bar == MODERN_BAR && (length == 1 || length == 2 || length == 4) && offset % length == 0
                && offset + length <= MODERN_BAR_SIZE;
    }

    @Override
    public void reset() {
        resetDevice();
    }

    // ---- VirtioTransport -------------------------------------------------------------------

    @Override
    public GuestMemory memory() {
        return memory;
    }

    @Override
    public SplitVirtqueue queue(int index) {
        return queues[index];
    }

    @Override
    public long negotiatedFeatures() {
        return negotiatedFeatures;
    }

    @Override
    public int status() {
        return status;
    }

    @Override
    public void notifyQueue(SplitVirtqueue queue) {
        signal(queue.vector(), ISR_QUEUE);
    }

    @Override
    public void notifyConfigChange() {
        synchronized (interruptLock) {
            configGeneration = (configGeneration + 1) & 0xff;
        }
        signal(configVector, ISR_CONFIG);
    }

    private void signal(int vector, int isrBit) {
        PciFunction f = function;
        if (f == null) {
            return;
        }
        synchronized (interruptLock) {
            if (f.msixEnabled()) {
                if (vector != SplitVirtqueue.NO_VECTOR) {
                    f.msixNotify(vector);
                }
            } else {
                isr.getAndUpdate(v -> v | isrBit);
                f.setIntx(true);
            }
        }
    }

    @Override
    public void deviceNeedsReset(String reason) {
        synchronized (interruptLock) {
            if ((status & VirtioStatus.DEVICE_NEEDS_RESET) != 0) {
                return;
            }
            status |= VirtioStatus.DEVICE_NEEDS_RESET;
        }
        log.warn("{}: guest driver error, device needs reset: {}", id, reason);
        if ((status & VirtioStatus.DRIVER_OK) != 0) {
            notifyConfigChange();
        }
    }

    @Override
    public boolean needsReset() {
        return (status & VirtioStatus.DEVICE_NEEDS_RESET) != 0;
    }

    // ---- negotiation and reset -------------------------------------------------------------

    private long modernDeviceFeatures() {
        return device.hostFeatures() & ~device.legacyOnlyFeatures();
    }

    private long legacyDeviceFeatures() {
        return (device.hostFeatures() & 0xffffffffL) | device.legacyOnlyFeatures()
                | VirtioFeature.bit(VirtioFeature.NOTIFY_ON_EMPTY) | VirtioFeature.bit(VirtioFeature.ANY_LAYOUT)
                | VirtioFeature.bit(VirtioFeature.BAD_FEATURE);
    }

    private void writeStatus(int value) {
        value &= 0xff;
        if (value == 0) {
            resetDevice();
            return;
        }
        int old = status;
        int next = value | (old & VirtioStatus.DEVICE_NEEDS_RESET);
        if (!legacyMode && (value & VirtioStatus.FEATURES_OK) != 0 && (old & VirtioStatus.FEATURES_OK) == 0) {
            long offered = modernDeviceFeatures();
            if ((driverFeatures & ~offered) != 0 || !VirtioFeature.has(driverFeatures, VirtioFeature.VERSION_1)) {
                // FEATURES_OK does not stick: the driver reads it back and gives up (spec 3.1.1).
                log.info("{}: driver features 0x{} refused (offered 0x{})", id, Long.toHexString(driverFeatures),
                        Long.toHexString(offered));
                next &= ~VirtioStatus.FEATURES_OK;
            } else {
                negotiate(driverFeatures);
            }
        }
        status = next;
        if ((value & VirtioStatus.DRIVER_OK) != 0 && (old & VirtioStatus.DRIVER_OK) == 0) {
            device.driverOk();
        }
    }

    private void negotiate(long features) {
        negotiatedFeatures = features;
        device.featuresNegotiated(features);
        rebuildQueues();
    }

    /** After a feature change the device may have more queues or different sizes (virtio-net MQ). */
    private void rebuildQueues() {
        boolean eventIdx = VirtioFeature.has(negotiatedFeatures, VirtioFeature.RING_EVENT_IDX);
        int count = device.queueCount();
        for (int i = 0; i < queues.length; i++) {
            SplitVirtqueue q = queues[i];
            q.lock().lock();
            try {
                if (i < count && q.maxSize() != device.queueMaxSize(i)) {
                    q.resetWithMaxSize(device.queueMaxSize(i));
                }
                q.setEventIdx(eventIdx);
            } finally {
                q.lock().unlock();
            }
        }
    }

    private void resetDevice() {
        for (SplitVirtqueue q : queues) {
            q.lock().lock();
            try {
                q.reset();
            } finally {
                q.lock().unlock();
            }
        }
        synchronized (interruptLock) {
            status = 0;
            isr.set(0);
            if (function != null) {
                function.setIntx(false);
            }
        }
        driverFeatures = 0;
        negotiatedFeatures = 0;
        deviceFeatureSelect = driverFeatureSelect = queueSelect = 0;
        configVector = SplitVirtqueue.NO_VECTOR;
        legacyMode = false;
        device.reset();
        rebuildQueues();
    }

    private int checkedVector(long value) {
        int v = (int) (value & 0xffff);
        return v < vectors ? v : SplitVirtqueue.NO_VECTOR;
    }

    private SplitVirtqueue selectedQueue() {
        return queueSelect < device.queueCount() ? queues[queueSelect] : null;
    }

    private void kick(int index) {
        if (index < device.queueCount() && (status & VirtioStatus.DRIVER_OK) != 0 && !needsReset()) {
            device.queueNotified(index);
        }
    }

    private void guestError(VirtioGuestError e) {
        deviceNeedsReset(e.getMessage());
    }

    private int readIsr() {
        synchronized (interruptLock) {
            int v = isr.getAndSet(0);
            if (function != null) {
                function.setIntx(false);
            }
            return v;
        }
    }

    private static long mask(int size) {
        return size >= 8 ? -1L : (1L << (size * 8)) - 1;
    }

    // ---- the modern interface (BAR4) -------------------------------------------------------

    private final class ModernRegisters implements IoHandler {
        @Override
        public long read(long offset, int size) {
            int region = (int) (offset / REGION_SIZE);
            int off = (int) (offset % REGION_SIZE);
            return switch (region) {
                case 0 -> readCommon(off) & mask(size);
                case 1 -> readIsr();
                case 2 -> readDeviceConfig(off, size);
                default -> 0;
            };
        }

        @Override
        public void write(long offset, int size, long value) {
            int region = (int) (offset / REGION_SIZE);
            int off = (int) (offset % REGION_SIZE);
            switch (region) {
                case 0 -> writeCommon(off, value & mask(size));
                case 2 -> writeDeviceConfig(off, size, value);
                case 3 -> kick(off / NOTIFY_OFF_MULTIPLIER);
                default -> {
                }
            }
        }
    }

    private long readDeviceConfig(int off, int size) {
        if (off + size > device.configSize()) {
            return mask(size);
        }
        return device.readConfig(off, size);
    }

    private void writeDeviceConfig(int off, int size, long value) {
        if (off + size <= device.configSize()) {
            device.writeConfig(off, size, value & mask(size));
        }
    }

    private long readCommon(int off) {
        SplitVirtqueue q = selectedQueue();
        return switch (off) {
            case COMMON_DFSELECT -> deviceFeatureSelect;
            case COMMON_DF -> deviceFeatureSelect <= 1 ? (modernDeviceFeatures() >>> (32 * deviceFeatureSelect)) & 0xffffffffL : 0;
            case COMMON_GFSELECT -> driverFeatureSelect;
            case COMMON_GF -> driverFeatureSelect <= 1 ? (driverFeatures >>> (32 * driverFeatureSelect)) & 0xffffffffL : 0;
            case COMMON_MSIX -> configVector;
            case COMMON_NUMQ -> device.queueCount();
            case COMMON_STATUS -> status;
            case COMMON_CFGGENERATION -> configGeneration;
            case COMMON_Q_SELECT -> queueSelect;
            case COMMON_Q_SIZE -> q == null ? 0 : q.size();
            case COMMON_Q_MSIX -> q == null ? SplitVirtqueue.NO_VECTOR : q.vector();
            case COMMON_Q_ENABLE -> q != null && q.enabled() ? 1 : 0;
            case COMMON_Q_NOFF -> queueSelect;
            case COMMON_Q_DESCLO -> q == null ? 0 : q.descAddress() & 0xffffffffL;
            case COMMON_Q_DESCHI -> q == null ? 0 : q.descAddress() >>> 32;
            case COMMON_Q_AVAILLO -> q == null ? 0 : q.availAddress() & 0xffffffffL;
            case COMMON_Q_AVAILHI -> q == null ? 0 : q.availAddress() >>> 32;
            case COMMON_Q_USEDLO -> q == null ? 0 : q.usedAddress() & 0xffffffffL;
            case COMMON_Q_USEDHI -> q == null ? 0 : q.usedAddress() >>> 32;
            default -> 0;
        };
    }

    private void writeCommon(int off, long value) {
        switch (off) {
            case COMMON_DFSELECT -> deviceFeatureSelect = (int) value;
            case COMMON_GFSELECT -> driverFeatureSelect = (int) value;
            case COMMON_GF -> {
                if (driverFeatureSelect <= 1 && (status & VirtioStatus.FEATURES_OK) == 0) {
                    int shift = 32 * driverFeatureSelect;
                    driverFeatures = (driverFeatures & ~(0xffffffffL << shift)) | ((value & 0xffffffffL) << shift);
                }
            }
            case COMMON_MSIX -> configVector = checkedVector(value);
            case COMMON_STATUS -> writeStatus((int) value);
            case COMMON_Q_SELECT -> queueSelect = (int) (value & 0xffff);
            default -> writeQueueRegister(off, value);
        }
    }

    private void writeQueueRegister(int off, long value) {
        SplitVirtqueue q = selectedQueue();
        if (q == null) {
            return;
        }
        q.lock().lock();
        try {
            switch (off) {
                case COMMON_Q_SIZE -> q.setSize((int) value);
                case COMMON_Q_MSIX -> q.setVector(checkedVector(value));
                case COMMON_Q_ENABLE -> {
                    if (value == 1 && !q.enabled()) {
                        q.enable();
                    }
                }
                case COMMON_Q_DESCLO -> setLow(q, 0, value);
                case COMMON_Q_DESCHI -> setHigh(q, 0, value);
                case COMMON_Q_AVAILLO -> setLow(q, 1, value);
                case COMMON_Q_AVAILHI -> setHigh(q, 1, value);
                case COMMON_Q_USEDLO -> setLow(q, 2, value);
                case COMMON_Q_USEDHI -> setHigh(q, 2, value);
                case COMMON_Q_RESET -> {
                    if (value == 1 && VirtioFeature.has(negotiatedFeatures, VirtioFeature.RING_RESET)) {
                        q.reset();
                        q.setEventIdx(VirtioFeature.has(negotiatedFeatures, VirtioFeature.RING_EVENT_IDX));
                        device.queueReset(q.index());
                    }
                }
                default -> {
                }
            }
        } catch (VirtioGuestError e) {
            guestError(e);
        } finally {
            q.lock().unlock();
        }
    }

    private static void setLow(SplitVirtqueue q, int which, long value) {
        long old = address(q, which);
        setAddress(q, which, (old & ~0xffffffffL) | (value & 0xffffffffL));
    }

    private static void setHigh(SplitVirtqueue q, int which, long value) {
        long old = address(q, which);
        setAddress(q, which, (old & 0xffffffffL) | ((value & 0xffffffffL) << 32));
    }

    private static long address(SplitVirtqueue q, int which) {
        return switch (which) {
            case 0 -> q.descAddress();
            case 1 -> q.availAddress();
            default -> q.usedAddress();
        };
    }

    private static void setAddress(SplitVirtqueue q, int which, long value) {
        if (q.enabled()) {
            return; // addresses are fixed while the queue runs
        }
        switch (which) {
            case 0 -> q.setDescAddress(value);
            case 1 -> q.setAvailAddress(value);
            default -> q.setUsedAddress(value);
        }
    }

    // ---- the legacy interface (BAR0, transitional devices) ---------------------------------

    private final class LegacyRegisters implements IoHandler {
        private int configOffset() {
            return function != null && function.msixEnabled() ? 24 : 20;
        }

        @Override
        public long read(long offset, int size) {
            int off = (int) offset;
            int cfg = configOffset();
            if (off >= cfg) {
                return readDeviceConfig(off - cfg, size);
            }
            SplitVirtqueue q = selectedQueue();
            long v = switch (off) {
                case LEGACY_HOST_FEATURES -> legacyDeviceFeatures();
                case LEGACY_GUEST_FEATURES -> negotiatedFeatures & 0xffffffffL;
                case LEGACY_QUEUE_PFN -> q == null ? 0 : q.descAddress() >>> 12;
                case LEGACY_QUEUE_NUM -> q == null ? 0 : q.maxSize();
                case LEGACY_QUEUE_SEL -> queueSelect;
                case LEGACY_STATUS -> status;
                case LEGACY_ISR -> readIsr();
                case LEGACY_MSIX_CONFIG -> configVector;
                case LEGACY_MSIX_QUEUE -> q == null ? SplitVirtqueue.NO_VECTOR : q.vector();
                // not the start of a register (the upper byte of a 16-bit one, the write-only
                // notify): all-ones, as QEMU answers
                default -> -1L;
            };
            return v & mask(size);
        }

        @Override
        public void write(long offset, int size, long value) {
            int off = (int) offset;
            int cfg = configOffset();
            if (off >= cfg) {
                writeDeviceConfig(off - cfg, size, value);
                return;
            }
            switch (off) {
                case LEGACY_GUEST_FEATURES -> {
                    legacyMode = true;
                    long accepted = value & 0xffffffffL & device.hostFeatures();
                    negotiate(accepted);
                }
                case LEGACY_QUEUE_PFN -> {
                    SplitVirtqueue q = selectedQueue();
                    if (q != null) {
                        legacyMode = true;
                        q.lock().lock();
                        try {
                            q.setLegacyPfn(value & 0xffffffffL);
                        } catch (VirtioGuestError e) {
                            guestError(e);
                        } finally {
                            q.lock().unlock();
                        }
                    }
                }
                case LEGACY_QUEUE_SEL -> queueSelect = (int) (value & 0xffff);
                case LEGACY_QUEUE_NOTIFY -> kick((int) (value & 0xffff));
                case LEGACY_STATUS -> {
                    legacyMode = true;
                    writeStatus((int) value);
                }
                case LEGACY_MSIX_CONFIG -> configVector = checkedVector(value);
                case LEGACY_MSIX_QUEUE -> {
                    SplitVirtqueue q = selectedQueue();
                    if (q != null) {
                        q.setVector(checkedVector(value));
                    }
                }
                default -> {
                }
            }
        }
    }

    // ---- migration -------------------------------------------------------------------------

    public VirtioPciState state() {
        List<VirtqueueState> qs = new ArrayList<>();
        for (SplitVirtqueue q : queues) {
            q.lock().lock();
            try {
                qs.add(q.state());
            } finally {
                q.lock().unlock();
            }
        }
        return new VirtioPciState(status, driverFeatures, negotiatedFeatures, deviceFeatureSelect, driverFeatureSelect,
                queueSelect, configVector, isr.get(), configGeneration, legacyMode, qs);
    }

    /**
     * Restores saved state: checks it against what this device offers, lets the device re-derive
     * what follows from the features, then restores every queue.
     */
    public void restore(VirtioPciState s) throws VirtioGuestError {
        long offered = s.legacyMode() ? legacyDeviceFeatures() : modernDeviceFeatures();
        if ((s.negotiatedFeatures() & ~offered) != 0) {
            throw new VirtioGuestError("saved features 0x" + Long.toHexString(s.negotiatedFeatures())
                    + " include some this device does not offer (0x" + Long.toHexString(offered) + ")");
        }
        if (s.queues().size() != queues.length) {
            throw new VirtioGuestError("saved state has " + s.queues().size() + " queues, this device has " + queues.length);
        }
        int cv = s.configVector();
        if (cv != SplitVirtqueue.NO_VECTOR && cv >= vectors) {
            throw new VirtioGuestError("saved config vector " + cv + " is not below " + vectors);
        }
        resetDevice();
        legacyMode = s.legacyMode();
        driverFeatures = s.driverFeatures();
        deviceFeatureSelect = s.deviceFeatureSelect();
        driverFeatureSelect = s.driverFeatureSelect();
        queueSelect = s.queueSelect() & 0xffff;
        configVector = cv;
        configGeneration = s.configGeneration() & 0xff;
        if ((s.status() & VirtioStatus.FEATURES_OK) != 0 || legacyMode) {
            negotiate(s.negotiatedFeatures());
        }
        for (int i = 0; i < queues.length; i++) {
            VirtqueueState qs = s.queues().get(i);
            if (qs.vector() != SplitVirtqueue.NO_VECTOR && qs.vector() >= vectors) {
                throw new VirtioGuestError("queue " + i + ": saved vector " + qs.vector() + " is not below " + vectors);
            }
            queues[i].lock().lock();
            try {
                queues[i].restore(qs);
                queues[i].setEventIdx(VirtioFeature.has(negotiatedFeatures, VirtioFeature.RING_EVENT_IDX));
            } finally {
                queues[i].lock().unlock();
            }
        }
        isr.set(s.isr() & 3);
        status = s.status() & 0xff;
    }

    public int vectors() {
        return vectors;
    }

    public boolean legacyInterface() {
        return legacyInterface;
    }
}
