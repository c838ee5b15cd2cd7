package io.jvmm.plugin.tap;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Every native call of the tap plugin (Java FFM, no JNI): the libc functions a tap needs, the
 * ioctl numbers and flags of {@code linux/if_tun.h}, and errno capture.
 *
 * <p>Each call takes a {@code callState} segment (from {@link #newCallState}) that receives errno;
 * hot paths keep one per thread so a read or write allocates nothing.
 */
@SuppressWarnings("restricted") // native downcalls are this class's job; the JVM runs with --enable-native-access
final class TapNative {

    // ioctl numbers (linux/if_tun.h, x86-64)
    static final long TUNSETIFF = 0x400454caL;
    static final long TUNGETIFF = 0x800454d2L;
    static final long TUNSETOFFLOAD = 0x400454d0L;
    static final long TUNSETVNETHDRSZ = 0x400454d8L;
    static final long TUNGETVNETHDRSZ = 0x800454d7L;
    static final long TUNSETQUEUE = 0x400454d9L;
    static final long TUNSETSNDBUF = 0x400454d4L;

    // ifreq flags
    static final int IFF_TUN = 0x0001;
    static final int IFF_TAP = 0x0002;
    static final int IFF_MULTI_QUEUE = 0x0100;
    static final int IFF_ATTACH_QUEUE = 0x0200;
    static final int IFF_DETACH_QUEUE = 0x0400;
    static final int IFF_PERSIST = 0x0800;
    static final int IFF_NO_PI = 0x1000;
    static final int IFF_VNET_HDR = 0x4000;

    // TUNSETOFFLOAD bits
    static final int TUN_F_CSUM = 0x01;
    static final int TUN_F_TSO4 = 0x02;
    static final int TUN_F_TSO6 = 0x04;
    static final int TUN_F_TSO_ECN = 0x08;
    static final int TUN_F_UFO = 0x10;

    // fcntl / open / poll / eventfd
    static final int O_RDWR = 0x2;
    static final int O_NONBLOCK = 0x800;
    static final int O_CLOEXEC = 0x80000;
    static final int F_GETFD = 1;
    static final int F_GETFL = 3;
    static final int F_SETFL = 4;
    static final short POLLIN = 0x1;
    static final short POLLOUT = 0x4;
    static final short POLLERR = 0x8;
    static final short POLLHUP = 0x10;
    static final short POLLNVAL = 0x20;
    static final int EFD_CLOEXEC = 0x80000;
    static final int EFD_NONBLOCK = 0x800;

    // errno values this plugin reacts to
    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int EINTR = 4;
    static final int EBADF = 9;
    static final int EAGAIN = 11;
    static final int EACCES = 13;
    static final int EBUSY = 16;
    static final int ENODEV = 19;
    static final int EINVAL = 22;
    static final int ENOTTY = 25;
    static final int EBADFD = 77;

    /** struct ifreq: name[16] at 0, short flags at 16; 40 bytes in all. */
    static final int IFREQ_SIZE = 40;
    static final int IFNAMSIZ = 16;
    /** struct iovec { void *base; size_t len; } */
    static final long IOVEC_SIZE = 16;
    /** Linux UIO_MAXIOV: readv/writev refuse more segments. */
    static final int IOV_MAX = 1024;
    /** struct pollfd { int fd; short events; short revents; } */
    static final long POLLFD_SIZE = 8;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE = Linker.Option.captureCallState("errno");

    private static final MethodHandle OPEN = downcall("open",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle IOCTL_PTR = downcall("ioctl",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle IOCTL_LONG = downcall("ioctl",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle FCNTL = downcall("fcntl",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle READV = downcall("readv",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle WRITEV = downcall("writev",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle READ = downcall("read",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    private static final MethodHandle WRITE = downcall("write",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    private static final MethodHandle POLL = downcall("poll",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    private static final MethodHandle CLOSE = downcall("close",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle EVENTFD = downcall("eventfd",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle DUP = downcall("dup",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private static final Map<Integer, String> ERRNO_NAMES = Map.ofEntries(
            Map.entry(EPERM, "EPERM"), Map.entry(ENOENT, "ENOENT"), Map.entry(EINTR, "EINTR"),
            Map.entry(5, "EIO"), Map.entry(6, "ENXIO"), Map.entry(EBADF, "EBADF"), Map.entry(EAGAIN, "EAGAIN"),
            Map.entry(12, "ENOMEM"), Map.entry(EACCES, "EACCES"), Map.entry(14, "EFAULT"), Map.entry(EBUSY, "EBUSY"),
            Map.entry(17, "EEXIST"), Map.entry(ENODEV, "ENODEV"), Map.entry(EINVAL, "EINVAL"), Map.entry(23, "ENFILE"),
            Map.entry(24, "EMFILE"), Map.entry(ENOTTY, "ENOTTY"), Map.entry(36, "ENAMETOOLONG"),
            Map.entry(EBADFD, "EBADFD"), Map.entry(105, "ENOBUFS"), Map.entry(95, "EOPNOTSUPP"));
    private static final Map<Integer, String> ERRNO_TEXT = Map.ofEntries(
            Map.entry(EPERM, "operation not permitted"), Map.entry(ENOENT, "no such file or directory"),
            Map.entry(EINTR, "interrupted"), Map.entry(5, "input/output error"), Map.entry(6, "no such device or address"),
            Map.entry(EBADF, "bad file descriptor"), Map.entry(EAGAIN, "try again"), Map.entry(12, "out of memory"),
            Map.entry(EACCES, "permission denied"), Map.entry(14, "bad address"), Map.entry(EBUSY, "device or resource busy"),
            Map.entry(17, "file exists"), Map.entry(ENODEV, "no such device"), Map.entry(EINVAL, "invalid argument"),
            Map.entry(23, "too many open files in system"), Map.entry(24, "too many open files"),
            Map.entry(ENOTTY, "inappropriate ioctl for device"), Map.entry(36, "file name too long"),
            Map.entry(EBADFD, "file descriptor in bad state"), Map.entry(105, "no buffer space available"),
            Map.entry(95, "operation not supported"));

    private TapNative() {
    }

    private static MethodHandle downcall(String name, FunctionDescriptor fd, Linker.Option... extra) {
        Linker.Option[] options = new Linker.Option[extra.length + 1];
        options[0] = CAPTURE;
        System.arraycopy(extra, 0, options, 1, extra.length);
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(symbol, fd, options);
    }

    /** A segment that receives errno; one per thread (or per call on cold paths). */
    static MemorySegment newCallState(Arena arena) {
        return arena.allocate(CAPTURE_LAYOUT);
    }

    static int errno(MemorySegment callState) {
        return (int) ERRNO.get(callState, 0L);
    }

    /** "EPERM (operation not permitted)" */
    static String describe(int errno) {
        return ERRNO_NAMES.getOrDefault(errno, "errno " + errno) + " (" + ERRNO_TEXT.getOrDefault(errno, "error") + ")";
    }

    static String errnoName(int errno) {
        return ERRNO_NAMES.getOrDefault(errno, "errno " + errno);
    }

    static int open(MemorySegment callState, MemorySegment path, int flags) {
        try {
            return (int) OPEN.invokeExact(callState, path, flags, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int ioctl(MemorySegment callState, int fd, long request, MemorySegment arg) {
        try {
            return (int) IOCTL_PTR.invokeExact(callState, fd, request, arg);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int ioctl(MemorySegment callState, int fd, long request, long arg) {
        try {
            return (int) IOCTL_LONG.invokeExact(callState, fd, request, arg);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int fcntl(MemorySegment callState, int fd, int cmd, long arg) {
        try {
            return (int) FCNTL.invokeExact(callState, fd, cmd, arg);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static long readv(MemorySegment callState, int fd, MemorySegment iov, int count) {
        try {
            return (long) READV.invokeExact(callState, fd, iov, count);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static long writev(MemorySegment callState, int fd, MemorySegment iov, int count) {
        try {
            return (long) WRITEV.invokeExact(callState, fd, iov, count);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static long read(MemorySegment callState, int fd, MemorySegment buf, long length) {
        try {
            return (long) READ.invokeExact(callState, fd, buf, length);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static long write(MemorySegment callState, int fd, MemorySegment buf, long length) {
        try {
            return (long) WRITE.invokeExact(callState, fd, buf, length);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int poll(MemorySegment callState, MemorySegment fds, long count, int timeoutMillis) {
        try {
            return (int) POLL.invokeExact(callState, fds, count, timeoutMillis);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int close(MemorySegment callState, int fd) {
        try {
            return (int) CLOSE.invokeExact(callState, fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int eventfd(MemorySegment callState, int initial, int flags) {
        try {
            return (int) EVENTFD.invokeExact(callState, initial, flags);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int dup(MemorySegment callState, int fd) {
        try {
            return (int) DUP.invokeExact(callState, fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** A struct ifreq with {@code name} (at most 15 bytes, checked by the caller) and flags. */
    static MemorySegment ifreq(Arena arena, String name, int flags) {
        MemorySegment ifr = arena.allocate(IFREQ_SIZE, 8);
        byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
        MemorySegment.copy(bytes, 0, ifr, ValueLayout.JAVA_BYTE, 0, Math.min(bytes.length, IFNAMSIZ - 1));
        ifr.set(ValueLayout.JAVA_SHORT, IFNAMSIZ, (short) flags);
        return ifr;
    }

    static String ifreqName(MemorySegment ifr) {
        return ifr.asSlice(0, IFNAMSIZ).getString(0, StandardCharsets.US_ASCII);
    }

    static int ifreqFlags(MemorySegment ifr) {
        return Short.toUnsignedInt(ifr.get(ValueLayout.JAVA_SHORT, IFNAMSIZ));
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("native call failed", t);
    }
}
