package io.jvmm.core.os;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The core's native calls (memory mapping, memfd, descriptors), through FFM. One place, so the
 * rest of the core stays plain Java. Every call that can fail captures errno and throws
 * {@link NativeException} with the call and strerror text.
 */
public final class LibC {
    public static final int O_RDONLY = 0;
    public static final int O_RDWR = 2;
    public static final int O_CREAT = 0100;
    public static final int O_CLOEXEC = 02000000;
    public static final int PROT_READ = 1;
    public static final int PROT_WRITE = 2;
    public static final int MAP_SHARED = 0x01;
    public static final int MAP_PRIVATE = 0x02;
    public static final int MAP_FIXED = 0x10;
    public static final int MAP_ANONYMOUS = 0x20;
    public static final int MAP_NORESERVE = 0x4000;
    public static final int MFD_CLOEXEC = 1;
    public static final int F_GETFD = 1;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CAPTURE.varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CCS = Linker.Option.captureCallState("errno");

    // Each function is bound on first use, in its own holder class (the JVM initializes a class when
    // it is first touched, once, thread-safely, and the handle stays a constant the JIT can inline).
    // Binding a downcall generates classes that no class-data cache keeps: 5-25 ms each at start-up,
    // about 110 ms for all of these at once, while a VM without devices needs only setpriority.
    private static final class Open {
        static final MethodHandle H = downcall("open",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
                CCS, Linker.Option.firstVariadicArg(2));
    }

    private static final class Close {
        static final MethodHandle H = downcall("close",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), CCS);
    }

    private static final class Ftruncate {
        static final MethodHandle H = downcall("ftruncate",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG), CCS);
    }

    private static final class MemfdCreate {
        static final MethodHandle H = downcall("memfd_create",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT), CCS);
    }

    private static final class Mmap {
        static final MethodHandle H = downcall("mmap",
                FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
                        ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG), CCS);
    }

    private static final class Munmap {
        static final MethodHandle H = downcall("munmap",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG), CCS);
    }

    private static final class Fcntl {
        static final MethodHandle H = downcall("fcntl",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), CCS,
                Linker.Option.firstVariadicArg(2));
    }

    private static final class Lseek {
        static final MethodHandle H = downcall("lseek",
                FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT), CCS);
    }

    private static final class Setpriority {
        static final MethodHandle H = downcall("setpriority",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
                CCS);
    }

    private static final class Strerror {
        static final MethodHandle H = downcall("strerror",
                FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    }

    /** {@code which} for {@link #setpriority}: on Linux, with a thread id it sets that one thread's nice value. */
    public static final int PRIO_PROCESS = 0;

    private LibC() {
    }

    private static MethodHandle downcall(String name, FunctionDescriptor fd, Linker.Option... options) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(symbol, fd, options);
    }

    /** Opens a file; returns the descriptor. */
    public static int open(String path, int flags, int mode) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            int fd = (int) Open.H.invokeExact(state, arena.allocateFrom(path), flags, mode);
            return check(fd, state, "open(" + path + ")");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int memfdCreate(String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            int fd = (int) MemfdCreate.H.invokeExact(state, arena.allocateFrom(name), MFD_CLOEXEC);
            return check(fd, state, "memfd_create");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void ftruncate(int fd, long size) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            int rc = (int) Ftruncate.H.invokeExact(state, fd, size);
            check(rc, state, "ftruncate");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Size of the file behind a descriptor (lseek to the end; the offset is not used by mmap). */
    public static long fileSize(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            long size = (long) Lseek.H.invokeExact(state, fd, 0L, 2 /* SEEK_END */);
            if (size < 0) {
                throw new NativeException("lseek", errno(state));
            }
            return size;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** mmap; returns the raw address. {@code fixedAddress} 0 lets the kernel choose. */
    public static long mmap(long fixedAddress, long length, int prot, int flags, int fd, long offset) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            MemorySegment addr = (MemorySegment) Mmap.H.invokeExact(state, MemorySegment.ofAddress(fixedAddress),
                    length, prot, flags, fd, offset);
            if (addr.address() == -1L) {
                throw new NativeException("mmap(" + length + " bytes)", errno(state));
            }
            return addr.address();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void munmap(long address, long length) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            int rc = (int) Munmap.H.invokeExact(state, MemorySegment.ofAddress(address), length);
            check(rc, state, "munmap");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Closes a descriptor; EBADF is reported, since closing twice is a bug. */
    public static void close(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            int rc = (int) Close.H.invokeExact(state, fd);
            check(rc, state, "close(" + fd + ")");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** True if the descriptor is open in this process. */
    public static boolean isOpen(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            int rc = (int) Fcntl.H.invokeExact(state, fd, F_GETFD);
            return rc >= 0;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** setpriority(2): with {@link #PRIO_PROCESS} and a thread id, one thread's nice value. */
    public static void setpriority(int which, int who, int nice) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            int rc = (int) Setpriority.H.invokeExact(state, which, who, nice);
            check(rc, state, "setpriority(" + who + ", " + nice + ")");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) Strerror.H.invokeExact(errno);
            return s.reinterpret(256).getString(0);
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }

    private static int check(int rc, MemorySegment state, String call) {
        if (rc < 0) {
            throw new NativeException(call, errno(state));
        }
        return rc;
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }
}
