package io.jvmm.plugin.tap;

import static io.jvmm.plugin.tap.TapNative.describe;

import io.jvmm.spi.config.ConfigException;
import io.jvmm.spi.net.Offloads;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * Gets the queue descriptors of a tap: opens {@code /dev/net/tun} once per queue (TUNSETIFF), or
 * checks descriptors it did not open itself (TUNGETIFF), and sets the per-device vnet header length,
 * offloads and per-queue send buffer. Every failure closes what was opened and says what to do.
 */
final class TapOpener {

    /** The header virtio-net uses without MRG_RXBUF and VERSION_1; QEMU sets it on open too. */
    static final int DEFAULT_VNET_HDR_LEN = 10;

    private static final String TUN_PATH = "/dev/net/tun";

    private TapOpener() {
    }

    /** Descriptors of one tap, all queues attached, non-blocking. */
    record Opened(String ifname, int[] fds, boolean vnetHeader, boolean multiQueue, boolean persistent,
            Offloads supportedOffloads) {
    }

    /** What TUNGETIFF says about one descriptor. */
    record TapInfo(String ifname, int flags) {
        /** Reads an ifreq the kernel filled in (TUNGETIFF). */
        static TapInfo of(MemorySegment ifr) {
            return new TapInfo(TapNative.ifreqName(ifr), TapNative.ifreqFlags(ifr));
        }

        boolean vnetHeader() {
            return (flags & TapNative.IFF_VNET_HDR) != 0;
        }

        boolean multiQueue() {
            return (flags & TapNative.IFF_MULTI_QUEUE) != 0;
        }
    }

    /** Opens (and creates if needed) the tap named by the config, one descriptor per queue. */
    static Opened open(TapConfig config) {
        String id = config.id();
        int queues = config.queues();
        boolean wantVnet = config.vnetHeader() != TapConfig.VnetHeader.OFF;
        int flags = TapNative.IFF_TAP | TapNative.IFF_NO_PI
                | (wantVnet ? TapNative.IFF_VNET_HDR : 0)
                | (queues > 1 ? TapNative.IFF_MULTI_QUEUE : 0);
        int[] fds = new int[queues];
        java.util.Arrays.fill(fds, -1);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = TapNative.newCallState(arena);
            MemorySegment path = arena.allocateFrom(TUN_PATH);
            String name = config.ifname();
            for (int q = 0; q < queues; q++) {
                int fd = TapNative.open(state, path, TapNative.O_RDWR | TapNative.O_CLOEXEC | TapNative.O_NONBLOCK);
                if (fd < 0) {
                    throw openError(id, TapNative.errno(state));
                }
                fds[q] = fd;
                MemorySegment ifr = TapNative.ifreq(arena, name, flags);
                if (TapNative.ioctl(state, fd, TapNative.TUNSETIFF, ifr) < 0) {
                    int errno = TapNative.errno(state);
                    // One queue on an existing multi_queue tap: the kernel wants IFF_MULTI_QUEUE to
                    // match the device, so ask again with it (QEMU would just fail here).
                    if (errno == TapNative.EINVAL && queues == 1 && (flags & TapNative.IFF_MULTI_QUEUE) == 0) {
                        flags |= TapNative.IFF_MULTI_QUEUE;
                        ifr = TapNative.ifreq(arena, name, flags);
                        if (TapNative.ioctl(state, fd, TapNative.TUNSETIFF, ifr) == 0) {
                            name = TapNative.ifreqName(ifr);
                            continue;
                        }
                    }
                    throw setIffError(id, name, queues, q, errno);
                }
                // The kernel expands a %d template on the first queue; the others join that name.
                name = TapNative.ifreqName(ifr);
            }
            TapInfo info = getIff(state, arena, fds[0]);
            if (info == null) {
                throw new ConfigException("netdev " + id + ": TUNGETIFF failed on a tap it just opened: "
                        + describe(TapNative.errno(state)));
            }
            if (info.vnetHeader() != wantVnet) {
                // Joining a multi_queue tap whose queues another process holds keeps that process's flags.
                throw new ConfigException("netdev " + id + ": tap " + name + " already has queues open "
                        + (info.vnetHeader() ? "with" : "without") + " a vnet header; use vnet_hdr="
                        + (info.vnetHeader() ? "on" : "off") + " to join it");
            }
            Offloads supported = configureDevice(id, state, arena, fds, wantVnet);
            setSndbuf(id, state, arena, fds, config.sndbuf());
            return new Opened(name, fds, wantVnet, info.multiQueue(), (info.flags() & TapNative.IFF_PERSIST) != 0,
                    supported);
        } catch (RuntimeException e) {
            closeAll(fds);
            throw e;
        }
    }

    /**
     * Takes over descriptors inherited from the parent (fd=, fds=): each must be an attached tap
     * without packet information, all of one interface, multi_queue when there are several.
     * On success this backend owns them (closes them at close); on failure they are left open.
     */
    static Opened adoptGiven(TapConfig config) {
        String id = config.id();
        List<Integer> given = config.fds();
        int[] fds = given.stream().mapToInt(Integer::intValue).toArray();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = TapNative.newCallState(arena);
            TapInfo first = null;
            for (int fd : fds) {
                if (TapNative.fcntl(state, fd, TapNative.F_GETFD, 0L) < 0) {
                    throw new ConfigException("netdev " + id + ": descriptor " + fd + " is not open in this process ("
                            + describe(TapNative.errno(state)) + "); the parent must pass it open and inheritable");
                }
                TapInfo info = checkTap(id, state, arena, fd, fds.length > 1);
                if (first == null) {
                    first = info;
                } else if (!first.ifname().equals(info.ifname()) || first.flags() != info.flags()) {
                    throw new ConfigException("netdev " + id + ": descriptors " + fds[0] + " and " + fd
                            + " belong to different taps or have different flags (" + first.ifname() + " 0x"
                            + Integer.toHexString(first.flags()) + ", " + info.ifname() + " 0x"
                            + Integer.toHexString(info.flags()) + "); fds= must list queues of one tap");
                }
            }
            for (int fd : fds) {
                setNonBlocking(id, state, fd);
            }
            boolean vnet = first.vnetHeader();
            Offloads supported = configureDevice(id, state, arena, fds, vnet);
            setSndbuf(id, state, arena, fds, config.sndbuf());
            return new Opened(first.ifname(), fds, vnet, first.multiQueue(),
                    (first.flags() & TapNative.IFF_PERSIST) != 0, supported);
        }
    }

    /**
     * Checks one descriptor this process did not open: a tap, attached, without packet information,
     * multi_queue if {@code severalQueues}. Returns its name and flags.
     */
    static TapInfo checkTap(String id, MemorySegment state, Arena arena, int fd, boolean severalQueues) {
        TapInfo info = getIff(state, arena, fd);
        if (info == null) {
            int errno = TapNative.errno(state);
            if (errno == TapNative.EBADFD) {
                throw new ConfigException("netdev " + id + ": descriptor " + fd + " is /dev/net/tun but not attached "
                        + "to an interface (no TUNSETIFF, or its queue is detached)");
            }
            if (errno == TapNative.EBADF) {
                throw new ConfigException("netdev " + id + ": descriptor " + fd + " is not open");
            }
            throw new ConfigException("netdev " + id + ": descriptor " + fd + " is not a tap (TUNGETIFF: "
                    + describe(errno) + ")");
        }
        int flags = info.flags();
        if ((flags & TapNative.IFF_TAP) == 0) {
            throw new ConfigException("netdev " + id + ": descriptor " + fd + " is a tun (layer 3) device " + info.ifname()
                    + ", not a tap; open it with IFF_TAP");
        }
        if ((flags & TapNative.IFF_NO_PI) == 0) {
            throw new ConfigException("netdev " + id + ": descriptor " + fd + " (" + info.ifname() + ") prepends "
                    + "packet information; open it with IFF_NO_PI");
        }
        if (severalQueues && !info.multiQueue()) {
            throw new ConfigException("netdev " + id + ": descriptor " + fd + " (" + info.ifname() + ") is a "
                    + "single-queue tap; several queues need a multi_queue tap (IFF_MULTI_QUEUE)");
        }
        return info;
    }

    /** TUNGETIFF, or null with errno in {@code state}. */
    static TapInfo getIff(MemorySegment state, Arena arena, int fd) {
        MemorySegment ifr = TapNative.ifreq(arena, "", 0);
        if (TapNative.ioctl(state, fd, TapNative.TUNGETIFF, ifr) < 0) {
            return null;
        }
        return TapInfo.of(ifr);
    }

    static void setNonBlocking(String id, MemorySegment state, int fd) {
        int fl = TapNative.fcntl(state, fd, TapNative.F_GETFL, 0L);
        if (fl < 0 || ((fl & TapNative.O_NONBLOCK) == 0
                && TapNative.fcntl(state, fd, TapNative.F_SETFL, fl | TapNative.O_NONBLOCK) < 0)) {
            throw new ConfigException("netdev " + id + ": cannot make descriptor " + fd + " non-blocking: "
                    + describe(TapNative.errno(state)));
        }
    }

    /**
     * Header length 10 and offloads off (the NIC sets both once the guest negotiated features), and
     * probes which offloads the kernel takes, as QEMU does: TUNSETOFFLOAD with each set in turn.
     */
    private static Offloads configureDevice(String id, MemorySegment state, Arena arena, int[] fds, boolean vnet) {
        if (!vnet) {
            return Offloads.NONE;
        }
        int fd = fds[0];
        MemorySegment len = arena.allocate(4);
        len.set(java.lang.foreign.ValueLayout.JAVA_INT, 0, DEFAULT_VNET_HDR_LEN);
        if (TapNative.ioctl(state, fd, TapNative.TUNSETVNETHDRSZ, len) < 0) {
            throw new ConfigException("netdev " + id + ": TUNSETVNETHDRSZ failed: " + describe(TapNative.errno(state)));
        }
        boolean csum = TapNative.ioctl(state, fd, TapNative.TUNSETOFFLOAD, (long) TapNative.TUN_F_CSUM) == 0;
        boolean tso = csum && TapNative.ioctl(state, fd, TapNative.TUNSETOFFLOAD, (long) (TapNative.TUN_F_CSUM
                | TapNative.TUN_F_TSO4 | TapNative.TUN_F_TSO6 | TapNative.TUN_F_TSO_ECN)) == 0;
        boolean ufo = csum && TapNative.ioctl(state, fd, TapNative.TUNSETOFFLOAD,
                (long) (TapNative.TUN_F_CSUM | TapNative.TUN_F_UFO)) == 0;
        if (TapNative.ioctl(state, fd, TapNative.TUNSETOFFLOAD, 0L) < 0) {
            throw new ConfigException("netdev " + id + ": TUNSETOFFLOAD failed: " + describe(TapNative.errno(state)));
        }
        return new Offloads(csum, tso, tso, tso, ufo);
    }

    private static void setSndbuf(String id, MemorySegment state, Arena arena, int[] fds, int sndbuf) {
        MemorySegment value = arena.allocate(4);
        value.set(java.lang.foreign.ValueLayout.JAVA_INT, 0, sndbuf);
        for (int fd : fds) {
            if (TapNative.ioctl(state, fd, TapNative.TUNSETSNDBUF, value) < 0) {
                throw new ConfigException("netdev " + id + ": TUNSETSNDBUF " + sndbuf + " failed: "
                        + describe(TapNative.errno(state)));
            }
        }
    }

    private static ConfigException openError(String id, int errno) {
        return switch (errno) {
            case TapNative.ENOENT, TapNative.ENODEV -> new ConfigException("netdev " + id + ": " + TUN_PATH
                    + " is missing (" + describe(errno) + "); load the tun module: modprobe tun");
            case TapNative.EPERM, TapNative.EACCES -> new ConfigException("netdev " + id + ": cannot open " + TUN_PATH
                    + " (" + describe(errno) + "); give this user access to it, or run with CAP_NET_ADMIN");
            default -> new ConfigException("netdev " + id + ": cannot open " + TUN_PATH + ": " + describe(errno));
        };
    }

    private static ConfigException setIffError(String id, String name, int queues, int queue, int errno) {
        String prefix = "netdev " + id + ": cannot attach queue " + queue + " of tap " + name + ": " + describe(errno);
        return switch (errno) {
            case TapNative.EPERM, TapNative.EACCES -> new ConfigException(prefix + "; creating a tap needs "
                    + "CAP_NET_ADMIN, or pre-create one owned by this user: ip tuntap add dev " + name
                    + " mode tap user $USER" + (queues > 1 ? " multi_queue" : "") + ", then use ifname=" + name);
            case TapNative.EBUSY -> new ConfigException(prefix + "; the tap is single-queue and another process has "
                    + "it open (or its queues are all in use); close that process, or use a multi_queue tap");
            case TapNative.EINVAL -> new ConfigException(prefix + "; an interface of that name exists but is not a "
                    + "tap, or its multi_queue setting differs from queues=" + queues
                    + (queues > 1 ? " (a single-queue tap cannot serve several queues: recreate it with 'ip tuntap add "
                            + "dev " + name + " mode tap multi_queue')" : ""));
            default -> new ConfigException(prefix);
        };
    }

    /** Closes descriptors this backend opened, once each; -1 entries are skipped. */
    static void closeAll(int[] fds) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = TapNative.newCallState(arena);
            for (int i = 0; i < fds.length; i++) {
                if (fds[i] >= 0) {
                    TapNative.close(state, fds[i]);
                    fds[i] = -1;
                }
            }
        }
    }
}
