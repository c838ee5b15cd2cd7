package io.jvmm.plugin.virtio.net;

import static io.jvmm.plugin.virtio.net.VirtioNetFeature.*;

import io.jvmm.plugin.virtio.queue.DescriptorChain;
import io.jvmm.plugin.virtio.queue.SplitVirtqueue;
import io.jvmm.plugin.virtio.queue.VirtioGuestError;
import io.jvmm.plugin.virtio.transport.VirtioDevice;
import io.jvmm.plugin.virtio.transport.VirtioFeature;
import io.jvmm.plugin.virtio.transport.VirtioPciTransport;
import io.jvmm.plugin.virtio.transport.VirtioStatus;
import io.jvmm.plugin.virtio.transport.VirtioTransport;
import io.jvmm.spi.device.Device;
import io.jvmm.spi.lifecycle.Pausable;
import io.jvmm.spi.memory.GuestMemoryException;
import io.jvmm.spi.net.NetBackend;
import io.jvmm.spi.net.Offloads;
import io.jvmm.spi.vmstate.VmStateDescription;
import io.jvmm.spi.vmstate.VmStateException;
import io.jvmm.spi.vmstate.VmStateful;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The virtio network device (virtio 1.2, 5.1): N receive/transmit queue pairs, one per backend
 * queue, and a control queue. Queue {@code 2i} receives and {@code 2i+1} transmits for pair i;
 * the control queue is the last one (index 2 until the driver negotiates MQ, then 2N, which is why
 * the queue count depends on the features, as in QEMU).
 */
public final class VirtioNetDevice implements VirtioDevice, Device, Pausable, VmStateful, ControlCommands.Target,
        io.jvmm.spi.migration.LocalMigrationOptIn {

    private static final Logger log = LoggerFactory.getLogger(VirtioNetDevice.class);
    public static final int VIRTIO_ID_NET = 1;
    public static final int STATUS_LINK_UP = 1;
    public static final int STATUS_ANNOUNCE = 2;
    static final int RX_QUEUE_SIZE = 256;
    static final int TX_QUEUE_SIZE = 256;
    static final int CTRL_QUEUE_SIZE = 64;
    /** How long a pause waits for a frame the backend is reading into guest memory. */
    private static final long PAUSE_WAIT_MILLIS = 1000;

    private final String id;
    private final VirtioNetConfig config;
    private final NetBackend backend;
    private final int maxPairs;
    private final long hostFeatures;
    private final ControlCommands control = new ControlCommands(this);
    private VirtioPciTransport transport;
    private NetQueuePair[] pairs;

    private volatile byte[] mac;
    private volatile RxFilter filter = RxFilter.initial(false);
    private volatile int linkStatus = STATUS_LINK_UP;
    private volatile int queuePairs = 1;
    private volatile int headerLength = 10;
    private volatile boolean mergeable;
    private volatile long guestOffloads;
    private volatile boolean paused;
    private volatile boolean announcePending;
    /**
     * True while {@link #restore} runs: the transport's restore resets the device and renegotiates
     * features first, which would set one queue pair and detach the backend's other queues, and the
     * end of the restore would attach them again. On a tap each detach (TUNSETQUEUE) waits for an RCU
     * grace period (10-100 ms on a busy host, all of it switchover downtime after a local migration)
     * and drops the frames queued on it. So the backend's queues are left alone until the end of the
     * restore, which applies the loaded pairs once.
     */
    private boolean restoring;

    public VirtioNetDevice(String id, VirtioNetConfig config, NetBackend backend) {
        this.id = id;
        this.config = config;
        this.backend = backend;
        int backendQueues = backend.queues().size();
        if (backendQueues < 1) {
            throw new IllegalArgumentException("netdev '" + backend.id() + "' has no queues");
        }
        this.maxPairs = config.mq() ? backendQueues : 1;
        this.mac = config.mac().clone();
        this.hostFeatures = computeHostFeatures(config, backend);
    }

    /** Binds the transport and the backend queues; called once by the factory. */
    public void attach(VirtioPciTransport transport) {
        this.transport = transport;
        pairs = new NetQueuePair[maxPairs];
        for (int i = 0; i < maxPairs; i++) {
            pairs[i] = new NetQueuePair(i, this, transport.queue(2 * i), transport.queue(2 * i + 1),
                    backend.queues().get(i));
            backend.queues().get(i).attach(pairs[i], pairs[i]);
        }
        applyQueuePairs();
    }

    /**
     * What QEMU 7.2 offers: the ring features, the control queue and filters always; checksum and
     * segmentation offloads only with a vnet header, and receive offloads only where the backend
     * accepts them.
     */
    static long computeHostFeatures(VirtioNetConfig config, NetBackend backend) {
        long f = VirtioFeature.bit(VirtioFeature.VERSION_1) | VirtioFeature.bit(VirtioFeature.RING_EVENT_IDX)
                | VirtioFeature.bit(VirtioFeature.RING_INDIRECT_DESC) | VirtioFeature.bit(VirtioFeature.RING_RESET)
                | bit(MAC) | bit(STATUS) | bit(MRG_RXBUF) | bit(CTRL_VQ) | bit(CTRL_RX) | bit(CTRL_VLAN)
                | bit(CTRL_RX_EXTRA) | bit(GUEST_ANNOUNCE) | bit(CTRL_MAC_ADDR) | bit(CTRL_GUEST_OFFLOADS);
        if (config.mq()) {
            f |= bit(MQ);
        }
        if (config.hostMtu().isPresent()) {
            f |= bit(MTU);
        }
        if (backend.hasVnetHeader()) {
            Offloads o = backend.supportedOffloads();
            f |= bit(CSUM) | bit(HOST_TSO4) | bit(HOST_TSO6) | bit(HOST_ECN);
            if (o.csum()) {
                f |= bit(GUEST_CSUM);
                if (o.tso4()) {
                    f |= bit(GUEST_TSO4);
                }
                if (o.tso6()) {
                    f |= bit(GUEST_TSO6);
                }
                if (o.ecn() && (o.tso4() || o.tso6())) {
                    f |= bit(GUEST_ECN);
                }
                if (o.ufo()) {
                    f |= bit(GUEST_UFO) | bit(HOST_UFO);
                }
            }
        }
        return f;
    }

    // ---- identity --------------------------------------------------------------------------

    @Override
    public String id() {
        return id;
    }

    Logger log() {
        return log;
    }

    public VirtioNetConfig config() {
        return config;
    }

    public VirtioTransport transport() {
        return transport;
    }

    public NetBackend backend() {
        return backend;
    }

    public boolean localMigration() {
        return config.localMigration();
    }

    // ---- VirtioDevice ----------------------------------------------------------------------

    @Override
    public int deviceId() {
        return VIRTIO_ID_NET;
    }

    @Override
    public long hostFeatures() {
        return hostFeatures;
    }

    @Override
    public long legacyOnlyFeatures() {
        return bit(GSO);
    }

    @Override
    public int configSize() {
        // QEMU sizes the space by the last field a feature needs: mtu (12), max_virtqueue_pairs (10), status (8)
        if (has(hostFeatures, MTU)) {
            return 12;
        }
        return has(hostFeatures, MQ) ? 10 : 8;
    }

    @Override
    public int maxQueues() {
        return 2 * maxPairs + 1;
    }

    public int maxQueuesForState() {
        return maxQueues();
    }

    private boolean mqNegotiated() {
        return transport != null && has(transport.negotiatedFeatures(), MQ);
    }

    @Override
    public int queueCount() {
        return mqNegotiated() ? 2 * maxPairs + 1 : 3;
    }

    private int controlQueueIndex() {
        return queueCount() - 1;
    }

    @Override
    public int queueMaxSize(int index) {
        if (index == controlQueueIndex()) {
            return CTRL_QUEUE_SIZE;
        }
        return index % 2 == 0 ? RX_QUEUE_SIZE : TX_QUEUE_SIZE;
    }

    @Override
    public long readConfig(int offset, int size) {
        byte[] cfg = new byte[12];
        System.arraycopy(mac, 0, cfg, 0, 6);
        int status = linkStatus | (announcePending ? STATUS_ANNOUNCE : 0);
        cfg[6] = (byte) status;
        cfg[7] = (byte) (status >>> 8);
        cfg[8] = (byte) maxPairs;
        cfg[9] = (byte) (maxPairs >>> 8);
        int mtu = config.hostMtu().orElse(0);
        cfg[10] = (byte) mtu;
        cfg[11] = (byte) (mtu >>> 8);
        long v = 0;
        for (int i = size - 1; i >= 0; i--) {
            v = v << 8 | (cfg[offset + i] & 0xff);
        }
        return v;
    }

    @Override
    public void writeConfig(int offset, int size, long value) {
        // Only a legacy driver without CTRL_MAC_ADDR may set the address by writing config (as QEMU).
        long f = transport.negotiatedFeatures();
        if (offset + size <= 6 && !has(f, CTRL_MAC_ADDR) && !VirtioFeature.has(f, VirtioFeature.VERSION_1)) {
            byte[] m = mac.clone();
            for (int i = 0; i < size; i++) {
                m[offset + i] = (byte) (value >>> (8 * i));
            }
            mac = m;
        }
    }

    @Override
    public void featuresNegotiated(long features) {
        mergeable = has(features, MRG_RXBUF);
        headerLength = mergeable || VirtioFeature.has(features, VirtioFeature.VERSION_1) ? 12 : 10;
        if (backend.hasVnetHeader()) {
            backend.setVnetHeaderLength(headerLength);
        }
        guestOffloads = features & GUEST_OFFLOAD_MASK;
        applyGuestOffloads();
        filter = RxFilter.initial(has(features, CTRL_VLAN));
        queuePairs = 1;
        applyQueuePairs();
    }

    private void applyGuestOffloads() {
        if (!backend.hasVnetHeader()) {
            return;
        }
        long o = guestOffloads;
        backend.setOffloads(new Offloads(has(o, GUEST_CSUM), has(o, GUEST_TSO4), has(o, GUEST_TSO6), has(o, GUEST_ECN),
                has(o, GUEST_UFO)));
    }

    /** Backend queues follow the pairs in use: the kernel steers flows only to enabled tap queues. */
    private void applyQueuePairs() {
        if (restoring) {
            return;
        }
        for (int i = 0; i < backend.queues().size(); i++) {
            boolean on = i < queuePairs;
            if (backend.queues().get(i).enabled() != on) {
                backend.queues().get(i).setEnabled(on);
            }
        }
    }

    @Override
    public void driverOk() {
        for (int i = 0; i < queuePairs; i++) {
            pairs[i].restart();
        }
    }

    @Override
    public void queueNotified(int index) {
        if (index == controlQueueIndex()) {
            processControl();
            return;
        }
        int pair = index / 2;
        if (pair >= maxPairs) {
            return;
        }
        if (index % 2 == 0) {
            pairs[pair].rxKicked();
        } else {
            pairs[pair].processTx();
        }
    }

    @Override
    public void reset() {
        if (pairs != null) {
            for (NetQueuePair p : pairs) {
                p.reset();
            }
        }
        mac = config.mac().clone();
        filter = RxFilter.initial(false);
        linkStatus = STATUS_LINK_UP;
        announcePending = false;
        mergeable = false;
        headerLength = 10;
        guestOffloads = 0;
        queuePairs = 1;
        if (pairs != null) {
            applyQueuePairs();
        }
    }

    @Override
    public void queueReset(int index) {
        if (index != controlQueueIndex() && index / 2 < maxPairs) {
            pairs[index / 2].reset();
        }
    }

    // ---- data path helpers for NetQueuePair ------------------------------------------------

    /** Whether queue {@code q} of pair {@code pair} may move data now. Called with q's lock held. */
    boolean dataPathAllowed(int pair, SplitVirtqueue q) {
        return !paused && pair < queuePairs && q.enabled()
                && (transport.status() & (VirtioStatus.DRIVER_OK | VirtioStatus.DEVICE_NEEDS_RESET)) == VirtioStatus.DRIVER_OK;
    }

    int headerLength() {
        return headerLength;
    }

    boolean backendHasHeader() {
        return backend.hasVnetHeader();
    }

    boolean mergeableRxBuffers() {
        return mergeable;
    }

    /**
     * The largest frame (header included) the driver can be sent: 64 KiB with receive segmentation
     * offloads on, else an Ethernet frame of the MTU with a VLAN tag. Mergeable buffers are
     * gathered up to this, not up to the backend's worst case.
     */
    long rxFrameLimit() {
        long o = guestOffloads;
        if (has(o, GUEST_TSO4) || has(o, GUEST_TSO6) || has(o, GUEST_UFO)) {
            return headerLength + 65535L + 18;
        }
        return headerLength + Math.max(1500, config.hostMtu().orElse(1500)) + 18L;
    }

    RxFilter filterForRx() {
        return filter;
    }

    byte[] mac() {
        return mac;
    }

    void guestError(String reason) {
        transport.deviceNeedsReset(reason);
    }

    private void processControl() {
        SplitVirtqueue q = transport.queue(controlQueueIndex());
        q.lock().lock();
        try {
            boolean any = false;
            DescriptorChain chain;
            while ((chain = q.pop()) != null) {
                control.handle(q.memory(), chain);
                q.addUsed(chain.head(), 1);
                any = true;
            }
            if (any) {
                q.publishUsed();
                if (q.shouldNotify()) {
                    transport.notifyQueue(q);
                }
            }
        } catch (VirtioGuestError e) {
            guestError(e.getMessage());
        } catch (GuestMemoryException e) {
            guestError("control queue: " + e.getMessage());
        } finally {
            q.lock().unlock();
        }
    }

    // ---- ControlCommands.Target --------------------------------------------------------------

    @Override
    public long negotiatedFeatures() {
        return transport.negotiatedFeatures();
    }

    @Override
    public RxFilter filter() {
        return filter;
    }

    @Override
    public void setFilter(RxFilter f) {
        filter = f;
    }

    @Override
    public void setMac(byte[] m) {
        mac = m.clone();
    }

    @Override
    public int maxQueuePairs() {
        return maxPairs;
    }

    @Override
    public void setQueuePairs(int n) {
        int old = queuePairs;
        queuePairs = n;
        applyQueuePairs();
        for (int i = old; i < n; i++) {
            pairs[i].restart();
        }
    }

    @Override
    public boolean setGuestOffloads(long offloads) {
        if ((offloads & ~GUEST_OFFLOAD_MASK) != 0 || (offloads & ~transport.negotiatedFeatures()) != 0) {
            return false;
        }
        guestOffloads = offloads;
        applyGuestOffloads();
        return true;
    }

    @Override
    public boolean announceAcked() {
        if (!announcePending) {
            return false;
        }
        announcePending = false;
        return true;
    }

    /**
     * Asks the guest to announce itself (gratuitous ARP after a migration), when it negotiated
     * GUEST_ANNOUNCE: sets the ANNOUNCE status bit and interrupts for the config change.
     */
    public void announce() {
        if (has(transport.negotiatedFeatures(), GUEST_ANNOUNCE) && has(transport.negotiatedFeatures(), CTRL_VQ)) {
            announcePending = true;
            if (!paused) {
                transport.notifyConfigChange();
            }
        }
    }

    // ---- Pausable ----------------------------------------------------------------------------

    @Override
    public void pause() {
        paused = true;
        if (pairs != null) {
            for (NetQueuePair p : pairs) {
                p.awaitRxIdle(PAUSE_WAIT_MILLIS);
                p.returnPendingTx();
            }
        }
    }

    @Override
    public void resume() {
        paused = false;
        if ((transport.status() & VirtioStatus.DRIVER_OK) != 0) {
            for (int i = 0; i < queuePairs; i++) {
                pairs[i].restart();
            }
            if (announcePending) {
                transport.notifyConfigChange();
            }
        }
    }

    public boolean paused() {
        return paused;
    }

    // ---- state -------------------------------------------------------------------------------

    public VirtioNetState state() {
        return new VirtioNetState(transport.state(), mac.clone(), linkStatus, queuePairs, filter, config.localMigration(),
                announcePending, guestOffloads);
    }

    /** Loads saved state into this (stopped) device; every value is checked first. */
    public void restore(VirtioNetState s) {
        if (s.localMigration() != config.localMigration()) {
            throw new VmStateException(id + ": local-migration is " + (s.localMigration() ? "on" : "off")
                    + " in the saved state but " + (config.localMigration() ? "on" : "off") + " here");
        }
        if (s.queuePairs() < 1 || s.queuePairs() > maxPairs) {
            throw new VmStateException(id + ": queue_pairs " + s.queuePairs() + " is outside 1.." + maxPairs);
        }
        if (s.mac().length != 6) {
            throw new VmStateException(id + ": mac must be 6 bytes");
        }
        restoring = true;
        try {
            transport.restore(s.transport());
        } catch (VirtioGuestError e) {
            throw new VmStateException(id + ": " + e.getMessage(), e);
        } finally {
            restoring = false;
        }
        if ((s.guestOffloads() & ~GUEST_OFFLOAD_MASK) != 0 || (s.guestOffloads() & ~transport.negotiatedFeatures()) != 0) {
            throw new VmStateException(id + ": guest_offloads 0x" + Long.toHexString(s.guestOffloads())
                    + " are not among the negotiated features");
        }
        guestOffloads = s.guestOffloads();
        applyGuestOffloads();
        mac = s.mac().clone();
        linkStatus = s.status() & STATUS_LINK_UP;
        filter = s.filter();
        queuePairs = s.queuePairs();
        // Like QEMU after an incoming migration: a guest that negotiated GUEST_ANNOUNCE is asked to
        // announce itself (gratuitous ARP), so switches learn where it is now; the interrupt goes out
        // on resume.
        long f = transport.negotiatedFeatures();
        announcePending = s.announcePending()
                || (has(f, GUEST_ANNOUNCE) && has(f, CTRL_VQ) && (transport.status() & VirtioStatus.DRIVER_OK) != 0);
        applyQueuePairs();
    }

    @Override
    public VmStateDescription vmstate() {
        return VirtioNetVmState.description(this);
    }

    @Override
    public void close() {
        // The backend is closed by the host, which owns netdevs; nothing of ours runs on its own.
    }

    /** Per pair: frames received, filtered, transmitted (for logs and tests). */
    public List<long[]> counters() {
        List<long[]> out = new ArrayList<>();
        for (NetQueuePair p : pairs) {
            out.add(new long[] {p.rxFrames.get(), p.rxFiltered.get(), p.txFrames.get()});
        }
        return out;
    }

    @Override
    public String toString() {
        return "virtio-net-pci " + id + " mac=" + VirtioNetConfig.formatMac(mac) + " pairs=" + queuePairs + "/" + maxPairs
                + " features=0x" + Long.toHexString(hostFeatures);
    }

    /** local-migration=on: the migration engine compares it on source and target before the source stops. */
    @Override
    public boolean localMigrationEnabled() {
        return config.localMigration();
    }

    /** The netdev whose descriptors local-migration=on lets travel. */
    @Override
    public String backendId() {
        return backend.id();
    }
}
