package io.jvmm.plugin.tap;

import io.jvmm.spi.config.ConfigException;
import io.jvmm.spi.net.LocalMigratable;
import io.jvmm.spi.net.NetBackend;
import io.jvmm.spi.net.NetQueue;
import io.jvmm.spi.net.Offloads;
import io.jvmm.spi.vmstate.VmStateful;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code -netdev tap}: N queues over one tap interface. Header length and offloads are per device
 * (set on queue 0's descriptor); everything else is per queue ({@link TapQueue}).
 *
 * <p>Ownership: the descriptors are this backend's (opened here, inherited through fd=/fds=, or
 * received in a local migration) and are closed exactly once, by {@link #close()}. A tap this
 * backend created (not persistent) disappears with its last descriptor; a pre-created (persistent)
 * one stays. The downscript runs at close unless the tap was handed over to another process.
 */
final class TapBackend implements NetBackend, LocalMigratable, VmStateful {
    private static final Logger LOG = LoggerFactory.getLogger(TapBackend.class);

    /** With TSO the kernel hands over frames up to 64 KiB plus the Ethernet header. */
    static final int MAX_FRAME = 65550;
    /** What a waiting migration target tells its NIC before the source's tap arrives. */
    static final Offloads INCOMING_ASSUMED_OFFLOADS = new Offloads(true, true, true, true, true);

    private final TapConfig config;
    private final List<TapQueue> queues;
    private final Object deviceLock = new Object();
    private volatile String ifname;
    private volatile boolean vnetHeader;
    private volatile int vnetHeaderLength;
    private volatile Offloads offloads = Offloads.NONE;
    private volatile Offloads supportedOffloads;
    private volatile boolean waitingForDescriptors;
    private volatile boolean handedOver;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final TapVmState vmState;

    private TapBackend(TapConfig config, String ifname, int[] fds, boolean vnetHeader, boolean multiQueue,
            Offloads supported, boolean waiting, boolean platformThreads) {
        this.config = config;
        this.ifname = ifname;
        this.vnetHeader = vnetHeader;
        this.vnetHeaderLength = vnetHeader ? TapOpener.DEFAULT_VNET_HDR_LEN : 0;
        this.supportedOffloads = supported;
        this.waitingForDescriptors = waiting;
        List<TapQueue> list = new ArrayList<>();
        try {
            for (int q = 0; q < fds.length; q++) {
                list.add(new TapQueue(config.id(), q, fds[q], multiQueue, this::maxFrameLength, platformThreads));
            }
        } catch (RuntimeException e) {
            // The caller still owns the descriptors and closes them (once): stop only what was built.
            list.forEach(TapQueue::closeKeepingDescriptor);
            throw e;
        }
        this.queues = List.copyOf(list);
        this.vmState = new TapVmState(this);
        if (waiting) {
            TapVmState.warmUpNativeCalls();
        }
    }

    /** Opens or adopts the tap as the config says; the backend starts paused. */
    static TapBackend create(TapConfig config) {
        return create(config, true);
    }

    static TapBackend create(TapConfig config, boolean platformThreads) {
        return switch (config.mode()) {
            case OPEN -> {
                TapOpener.Opened t = TapOpener.open(config);
                try {
                    config.script().ifPresent(s -> TapScript.run(config.id(), "script", s, t.ifname()));
                } catch (RuntimeException e) {
                    TapOpener.closeAll(t.fds());
                    throw e;
                }
                yield fromOpened(config, t, platformThreads);
            }
            case GIVEN_FDS -> fromOpened(config, TapOpener.adoptGiven(config), platformThreads);
            case INCOMING -> {
                int[] none = new int[config.queues()];
                java.util.Arrays.fill(none, -1);
                // Queue threads exist (parked) before any descriptor arrives: adopting is then only
                // storing the descriptor, which keeps the switchover short.
                // The NIC computes its host features from hasVnetHeader() and supportedOffloads() when
                // it is created, before the descriptors arrive: promise what the source's tap on this
                // same kernel has (vnet header, every offload); the loader refuses a source without a
                // vnet header, and the real supported set replaces the promise on adoption.
                yield new TapBackend(config, "", none, true, config.queues() > 1, INCOMING_ASSUMED_OFFLOADS, true,
                        platformThreads);
            }
        };
    }

    private static TapBackend fromOpened(TapConfig config, TapOpener.Opened t, boolean platformThreads) {
        try {
            TapBackend b = new TapBackend(config, t.ifname(), t.fds(), t.vnetHeader(), t.multiQueue(),
                    t.supportedOffloads(), false, platformThreads);
            LOG.info("netdev {}: tap {} with {} queue(s), vnet header {}, {}", config.id(), t.ifname(), t.fds().length,
                    t.vnetHeader() ? "on" : "off", t.persistent() ? "persistent (kept at close)"
                            : "not persistent (gone with its last descriptor)");
            return b;
        } catch (RuntimeException e) {
            TapOpener.closeAll(t.fds());
            throw e;
        }
    }

    @Override
    public String id() {
        return config.id();
    }

    @Override
    public String type() {
        return "tap";
    }

    /** The interface name (empty on a migration target until the descriptors arrived). */
    String ifname() {
        return ifname;
    }

    TapConfig config() {
        return config;
    }

    List<TapQueue> tapQueues() {
        return queues;
    }

    @Override
    public List<NetQueue> queues() {
        return List.copyOf(queues);
    }

    @Override
    public boolean hasVnetHeader() {
        return vnetHeader;
    }

    int maxFrameLength() {
        return vnetHeaderLength + MAX_FRAME;
    }

    @Override
    public void setVnetHeaderLength(int length) {
        synchronized (deviceLock) {
            if (!vnetHeader && !waitingForDescriptors) {
                throw new IllegalStateException("netdev " + id() + ": the tap has no vnet header (vnet_hdr=off)");
            }
            if (length != 10 && length != 12) {
                throw new IllegalArgumentException("netdev " + id() + ": vnet header length " + length
                        + " (virtio-net uses 10, or 12 with MRG_RXBUF or VERSION_1)");
            }
            if (length == vnetHeaderLength) {
                return;
            }
            if (!waitingForDescriptors && !handedOver) {
                applyVnetHeaderLength(length);
            }
            vnetHeaderLength = length;
        }
    }

    private void applyVnetHeaderLength(int length) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = TapNative.newCallState(arena);
            MemorySegment value = arena.allocate(4);
            value.set(ValueLayout.JAVA_INT, 0, length);
            if (TapNative.ioctl(state, queues.get(0).fd(), TapNative.TUNSETVNETHDRSZ, value) < 0) {
                throw new IllegalStateException("netdev " + id() + ": TUNSETVNETHDRSZ " + length + " failed: "
                        + TapNative.describe(TapNative.errno(state)));
            }
        }
    }

    @Override
    public int vnetHeaderLength() {
        return vnetHeaderLength;
    }

    @Override
    public Offloads supportedOffloads() {
        return supportedOffloads;
    }

    Offloads offloads() {
        return offloads;
    }

    @Override
    public void setOffloads(Offloads wanted) {
        synchronized (deviceLock) {
            Offloads supported = supportedOffloads;
            if ((wanted.csum() && !supported.csum()) || (wanted.tso4() && !supported.tso4())
                    || (wanted.tso6() && !supported.tso6()) || (wanted.ecn() && !supported.ecn())
                    || (wanted.ufo() && !supported.ufo())) {
                throw new IllegalArgumentException("netdev " + id() + ": offloads " + wanted + " exceed what the tap "
                        + "supports: " + supported + (vnetHeader ? "" : " (no vnet header: none)"));
            }
            if (wanted.equals(offloads)) {
                return;
            }
            if (!waitingForDescriptors && !handedOver) {
                applyOffloads(wanted);
            }
            offloads = wanted;
        }
    }

    private void applyOffloads(Offloads o) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = TapNative.newCallState(arena);
            if (TapNative.ioctl(state, queues.get(0).fd(), TapNative.TUNSETOFFLOAD, (long) offloadBits(o)) < 0) {
                throw new IllegalStateException("netdev " + id() + ": TUNSETOFFLOAD " + o + " failed: "
                        + TapNative.describe(TapNative.errno(state)));
            }
        }
    }

    static int offloadBits(Offloads o) {
        return (o.csum() ? TapNative.TUN_F_CSUM : 0) | (o.tso4() ? TapNative.TUN_F_TSO4 : 0)
                | (o.tso6() ? TapNative.TUN_F_TSO6 : 0) | (o.ecn() ? TapNative.TUN_F_TSO_ECN : 0)
                | (o.ufo() ? TapNative.TUN_F_UFO : 0);
    }

    static Offloads offloadsOf(int bits) {
        return new Offloads((bits & TapNative.TUN_F_CSUM) != 0, (bits & TapNative.TUN_F_TSO4) != 0,
                (bits & TapNative.TUN_F_TSO6) != 0, (bits & TapNative.TUN_F_TSO_ECN) != 0,
                (bits & TapNative.TUN_F_UFO) != 0);
    }

    @Override
    public void pause() {
        for (TapQueue q : queues) {
            q.pause();
        }
    }

    @Override
    public void resume() {
        if (handedOver || closed.get()) {
            return;
        }
        if (waitingForDescriptors) {
            LOG.warn("netdev {}: resumed while still waiting for descriptors from an incoming migration; "
                    + "no frames move until they arrive", id());
        }
        for (TapQueue q : queues) {
            q.resume();
        }
    }

    @Override
    public Optional<VmStateful> migrationState() {
        return Optional.of(this);
    }

    @Override
    public io.jvmm.spi.vmstate.VmStateDescription vmstate() {
        return vmState.description();
    }

    @Override
    public Optional<LocalMigratable> localMigration() {
        return Optional.of(this);
    }

    @Override
    public boolean waitingForDescriptors() {
        return waitingForDescriptors;
    }

    @Override
    public int descriptorCount() {
        return queues.size();
    }

    @Override
    public void handedOver() {
        synchronized (deviceLock) {
            handedOver = true;
        }
        for (TapQueue q : queues) {
            q.handOver();
        }
        LOG.info("netdev {}: tap {} handed over to the migration target; this process no longer touches it", id(),
                ifname);
    }

    boolean isHandedOver() {
        return handedOver;
    }

    /**
     * Target side: takes the descriptors that arrived with the state. The caller has checked them
     * (TapVmState); from here on this backend owns and closes them.
     */
    void adopt(String name, int[] fds, boolean[] enabled, boolean vnet, int hdrLen, Offloads o, Offloads supported) {
        synchronized (deviceLock) {
            ifname = name;
            vnetHeader = vnet;
            vnetHeaderLength = hdrLen;
            offloads = o;
            supportedOffloads = supported;
            for (int q = 0; q < fds.length; q++) {
                queues.get(q).adopt(fds[q], enabled[q]);
            }
            waitingForDescriptors = false;
        }
        // Two arguments, not three: slf4j's varargs path loads a class on its first use, and this line
        // runs inside the switchover (the queue count is in the migration's own log line).
        LOG.info("netdev {}: adopted the migration source's descriptors of tap {}", id(), name);
    }

    /** Ordinary migration target: the tap was opened here; apply the source's settings. */
    void applyLoadedSettings(int hdrLen, Offloads o, boolean[] enabled) {
        if (vnetHeader) {
            setVnetHeaderLength(hdrLen);
        }
        setOffloads(o);
        for (int q = 0; q < enabled.length; q++) {
            queues.get(q).setEnabled(enabled[q]);
        }
    }

    @Override
    public void abortIncoming() {
        synchronized (deviceLock) {
            if (config.mode() != TapConfig.Mode.INCOMING || waitingForDescriptors) {
                return;
            }
            pause();
            for (TapQueue q : queues) {
                q.releaseDescriptor();
            }
            waitingForDescriptors = true;
            ifname = "";
            // Back to what the NIC was told before the descriptors came (see create()).
            vnetHeader = true;
            supportedOffloads = INCOMING_ASSUMED_OFFLOADS;
        }
        LOG.info("netdev {}: incoming migration aborted; received descriptors closed, waiting again", id());
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        pause();
        boolean owner = !handedOver && !waitingForDescriptors;
        if (owner) {
            // Before closing: the interface must still exist for the script to tear it down.
            config.downscript().ifPresent(s -> {
                try {
                    TapScript.run(id(), "downscript", s, ifname);
                } catch (ConfigException e) {
                    LOG.warn("{}", e.getMessage());
                }
            });
        }
        for (TapQueue q : queues) {
            q.close();
        }
        LOG.info("netdev {}: closed{}", id(), handedOver ? " (tap handed over: left to the target)" : "");
    }

    boolean isClosed() {
        return closed.get();
    }
}
