package io.jvmm.plugin.tap;

import io.jvmm.spi.config.ConfigException;
import io.jvmm.spi.net.Offloads;
import io.jvmm.spi.vmstate.StateReader;
import io.jvmm.spi.vmstate.StateWriter;
import io.jvmm.spi.vmstate.VmStateDescription;
import io.jvmm.spi.vmstate.VmStateException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The tap backend's migration state ("tap", version 1): interface name, queue count, vnet header
 * in use and its length, offloads (set and supported), and per queue whether it is enabled; in a
 * local migration ({@link StateWriter#localMigration()}) also each queue's descriptor as an fd
 * field. An ordinary migration carries no descriptor: its target opens its own queues and only
 * applies the settings.
 *
 * <p>Loading on a target waiting for descriptors (incoming-fds=on) checks every received
 * descriptor with TUNGETIFF (a tap, this interface, the same flags, the queue count) before it
 * adopts any. A refusal throws without keeping any: the engine then closes every descriptor that
 * came with the section (core's IncomingMigration: loaders adopt only once they succeed), so a
 * descriptor is never closed twice.
 */
final class TapVmState {
    static final String NAME = "tap";
    static final int VERSION = 1;
    private static final int KNOWN_OFFLOAD_BITS = 0x1f;
    /** Above HotSpot's method-handle customization threshold (127 calls). */
    private static final int DATA_PATH_WARM_CALLS = 160;
    /** Keeps the warm-up's results used. */
    private static volatile boolean warmSink;

    private final TapBackend backend;
    // Field names built once: the save and load run inside the switchover, where the first run of a
    // string concatenation (an invokedynamic bootstrap) would cost milliseconds.
    private final String[] enabledFields = new String[TapConfig.MAX_QUEUES];
    private final String[] fdFields = new String[TapConfig.MAX_QUEUES];

    TapVmState(TapBackend backend) {
        this.backend = backend;
        for (int q = 0; q < TapConfig.MAX_QUEUES; q++) {
            enabledFields[q] = "queue" + q + ".enabled";
            fdFields[q] = "queue" + q + ".fd";
        }
    }

    /**
     * Runs every native call the adoption and the first frames make (TUNGETIFF, F_GETFL, F_SETFL,
     * TUNGETVNETHDRSZ, poll, readv, writev) once on a throwaway eventfd, where they fail or do
     * nothing, so that their first, slow run (downcall linkage) happens at start-up instead of
     * inside the switchover; and the Java around them that an eventfd does not reach: reading
     * TUNGETIFF's answer (the name is a C string: its first read loads and links the JDK's string
     * support). Measured on a target: the tap section loaded in 3-10 ms before, most of it such
     * first runs.
     */
    static void warmUpNativeCalls() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = TapNative.newCallState(arena);
            // blocking at first: setNonBlocking then runs its F_SETFL too, as on a received queue
            int fd = TapNative.eventfd(state, 0, TapNative.EFD_CLOEXEC);
            if (fd < 0) {
                return;
            }
            try {
                TapOpener.getIff(state, arena, fd);
                // what check() asks of each received queue's answer
                TapOpener.TapInfo info = TapOpener.TapInfo.of(TapNative.ifreq(arena, "warm-up",
                        TapNative.IFF_TAP | TapNative.IFF_NO_PI | TapNative.IFF_VNET_HDR | TapNative.IFF_MULTI_QUEUE));
                warmSink = info.ifname().equals("warm-up") && info.vnetHeader() && info.multiQueue();
                TapOpener.setNonBlocking("warm-up", state, fd);
                TapNative.ioctl(state, fd, TapNative.TUNGETVNETHDRSZ, arena.allocate(4));
                MemorySegment value = arena.allocate(8, 8);
                value.set(ValueLayout.JAVA_LONG, 0, 1L);
                MemorySegment iov = arena.allocate(TapNative.IOVEC_SIZE, 8);
                TapIovec.fill(iov, new MemorySegment[] {value});
                MemorySegment pollFd = arena.allocate(TapNative.POLLFD_SIZE, 8);
                pollFd.set(ValueLayout.JAVA_INT, 0, fd);
                pollFd.set(ValueLayout.JAVA_SHORT, 4, TapNative.POLLIN);
                // More than 127 times: a method handle called that often from the interpreter is
                // "customized" (a class loaded, lambda forms spun), which otherwise happened in the
                // queue threads' first milliseconds after a migration's RESUME (seen with
                // -XX:LogClassLoadingCauseFor). Each round is three cheap syscalls on the eventfd.
                for (int i = 0; i < DATA_PATH_WARM_CALLS; i++) {
                    TapNative.writev(state, fd, iov, 1);
                    TapNative.poll(state, pollFd, 1, 0);
                    TapNative.readv(state, fd, iov, 1);
                }
            } finally {
                TapNative.close(state, fd);
            }
        }
    }

    VmStateDescription description() {
        return new VmStateDescription(NAME, VERSION, 1, this::save, this::load);
    }

    private void save(StateWriter out) {
        var queues = backend.tapQueues();
        out.string("ifname", backend.ifname());
        out.u32("queues", queues.size());
        out.bool("vnet_hdr", backend.hasVnetHeader());
        out.u8("vnet_hdr_len", backend.vnetHeaderLength());
        out.u8("offloads", TapBackend.offloadBits(backend.offloads()));
        out.u8("supported_offloads", TapBackend.offloadBits(backend.supportedOffloads()));
        for (TapQueue q : queues) {
            out.bool(enabledFields[q.index()], q.enabled());
        }
        if (out.localMigration()) {
            for (TapQueue q : queues) {
                if (q.fd() < 0) {
                    throw new VmStateException("tap " + backend.id() + ": queue " + q.index() + " has no descriptor to "
                            + "hand over");
                }
                out.fd(fdFields[q.index()], q.fd());
            }
        }
    }

    private void load(StateReader in, int version) {
        String id = backend.id();
        String ifname = in.string("ifname", TapNative.IFNAMSIZ - 1);
        int n = (int) in.u32InRange("queues", 1, TapConfig.MAX_QUEUES);
        boolean vnet = in.bool("vnet_hdr");
        int hdrLen = in.u8("vnet_hdr_len");
        if (vnet ? hdrLen != 10 && hdrLen != 12 : hdrLen != 0) {
            throw new VmStateException("tap " + id + ": vnet_hdr_len " + hdrLen + " is invalid with vnet_hdr=" + vnet);
        }
        int bits = in.u8("offloads");
        int supportedBits = in.u8("supported_offloads");
        if ((bits & ~KNOWN_OFFLOAD_BITS) != 0 || (supportedBits & ~KNOWN_OFFLOAD_BITS) != 0
                || (bits & ~supportedBits) != 0 || (!vnet && supportedBits != 0)) {
            throw new VmStateException("tap " + id + ": offloads 0x" + Integer.toHexString(bits) + " / supported 0x"
                    + Integer.toHexString(supportedBits) + " are inconsistent");
        }
        boolean[] enabled = new boolean[n];
        for (int q = 0; q < n; q++) {
            enabled[q] = in.bool(enabledFields[q]);
        }
        int mine = backend.descriptorCount();
        if (backend.waitingForDescriptors()) {
            if (!in.localMigration()) {
                throw new VmStateException("tap " + id + ": this target waits for the source's descriptors "
                        + "(incoming-fds=on) but the source sent none; set migrate-set-parameters local=true on both "
                        + "sides and local-migration=on on the device");
            }
            if (n != mine) {
                throw new VmStateException("tap " + id + ": the source has " + n + " queue(s), this target was "
                        + "started with queues=" + mine);
            }
            if (!vnet) {
                throw new VmStateException("tap " + id + ": the source's tap runs without a vnet header "
                        + "(vnet_hdr=off), but a target with incoming-fds=on offered its NIC one; use vnet_hdr=on "
                        + "(the default) on the source");
            }
            int[] fds = new int[n];
            for (int q = 0; q < n; q++) {
                fds[q] = in.fd(fdFields[q]);
            }
            // Until adopt() below nothing here keeps a descriptor: when this load throws, the
            // migration engine closes every descriptor of the section (and must be the only one to).
            check(ifname, fds, enabled, vnet, hdrLen);
            backend.adopt(ifname, fds, enabled, vnet, hdrLen, TapBackend.offloadsOf(bits),
                    TapBackend.offloadsOf(supportedBits));
        } else {
            if (in.localMigration()) {
                throw new VmStateException("tap " + id + ": the source hands over its descriptors but this tap "
                        + "opened its own queues; start the target's netdev with incoming-fds=on");
            }
            if (n != mine) {
                throw new VmStateException("tap " + id + ": the source has " + n + " queue(s), this tap has " + mine);
            }
            if (vnet != backend.hasVnetHeader()) {
                throw new VmStateException("tap " + id + ": the source " + (vnet ? "uses" : "does not use")
                        + " a vnet header, this tap " + (backend.hasVnetHeader() ? "does" : "does not"));
            }
            try {
                backend.applyLoadedSettings(hdrLen, TapBackend.offloadsOf(bits), enabled);
            } catch (RuntimeException e) {
                throw new VmStateException("tap " + id + ": cannot apply the source's settings: " + e.getMessage(), e);
            }
        }
    }

    /**
     * Each received descriptor must be a queue of the tap the state names, with its flags. A
     * disabled (detached) queue cannot answer TUNGETIFF, so it is checked only when enabled.
     */
    private void check(String ifname, int[] fds, boolean[] enabled, boolean vnet, int hdrLen) {
        String id = backend.id();
        int n = fds.length;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = TapNative.newCallState(arena);
            boolean checkedHeader = false;
            for (int q = 0; q < n; q++) {
                TapOpener.TapInfo info = TapOpener.getIff(state, arena, fds[q]);
                if (info == null) {
                    int errno = TapNative.errno(state);
                    if (errno == TapNative.EBADFD && !enabled[q]) {
                        continue;
                    }
                    throw new VmStateException("tap " + id + ": received descriptor for queue " + q + " is not an "
                            + "attached tap (TUNGETIFF: " + TapNative.describe(errno) + ")");
                }
                int f = info.flags();
                String problem = null;
                if (!info.ifname().equals(ifname)) {
                    problem = "belongs to " + info.ifname() + ", the state names " + ifname;
                } else if ((f & TapNative.IFF_TAP) == 0 || (f & TapNative.IFF_NO_PI) == 0) {
                    problem = "is not a tap without packet information (flags 0x" + Integer.toHexString(f) + ")";
                } else if (info.vnetHeader() != vnet) {
                    problem = (info.vnetHeader() ? "has" : "lacks") + " IFF_VNET_HDR, the state says vnet_hdr=" + vnet;
                } else if (info.multiQueue() != (n > 1)) {
                    problem = (info.multiQueue() ? "is multi_queue" : "is single-queue") + " but " + n
                            + " queue(s) arrived";
                }
                if (problem != null) {
                    throw new VmStateException("tap " + id + ": received descriptor for queue " + q + " " + problem);
                }
                try {
                    TapOpener.setNonBlocking(id, state, fds[q]);
                } catch (ConfigException e) {
                    throw new VmStateException(e.getMessage());
                }
                if (vnet && !checkedHeader) {
                    checkedHeader = true;
                    checkHeaderLength(state, arena, fds[q], hdrLen);
                }
            }
        }
    }

    /** The header length is per device and already set by the source; fix it only if it differs. */
    private void checkHeaderLength(MemorySegment state, Arena arena, int fd, int hdrLen) {
        MemorySegment value = arena.allocate(4);
        if (TapNative.ioctl(state, fd, TapNative.TUNGETVNETHDRSZ, value) == 0
                && value.get(ValueLayout.JAVA_INT, 0) == hdrLen) {
            return;
        }
        value.set(ValueLayout.JAVA_INT, 0, hdrLen);
        if (TapNative.ioctl(state, fd, TapNative.TUNSETVNETHDRSZ, value) < 0) {
            throw new VmStateException("tap " + backend.id() + ": TUNSETVNETHDRSZ " + hdrLen + " failed: "
                    + TapNative.describe(TapNative.errno(state)));
        }
    }
}
