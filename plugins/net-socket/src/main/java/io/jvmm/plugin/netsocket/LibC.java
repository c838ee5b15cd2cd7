package io.jvmm.plugin.netsocket;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/** The few libc calls an inherited descriptor (fd=) needs, through FFM; errno is captured. */
final class LibC {
    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final short POLLIN = 1;
    static final short POLLOUT = 4;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CCS = Linker.Option.captureCallState("errno");

    private static final MethodHandle READ = handle("read",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    private static final MethodHandle WRITE = handle("write",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    private static final MethodHandle POLL = handle("poll",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    private static final MethodHandle CLOSE = LINKER.downcallHandle(LINKER.defaultLookup().find("close").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle FCNTL = handle("fcntl",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
            Linker.Option.firstVariadicArg(2));

    private LibC() {
    }

    private static MethodHandle handle(String name, FunctionDescriptor fd, Linker.Option... extra) {
        Linker.Option[] options = new Linker.Option[extra.length + 1];
        options[0] = CCS;
        System.arraycopy(extra, 0, options, 1, extra.length);
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), fd, options);
    }

    /** Result and errno of one call. */
    record Result(long value, int errno) {
    }

    static Result read(int fd, MemorySegment buf, long len) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(CAPTURE);
            long r = (long) READ.invokeExact(cs, fd, buf, len);
            return new Result(r, r < 0 ? (int) ERRNO.get(cs, 0L) : 0);
        } catch (Throwable t) {
            throw new IllegalStateException("read(2) call failed", t);
        }
    }

    static Result write(int fd, MemorySegment buf, long len) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(CAPTURE);
            long r = (long) WRITE.invokeExact(cs, fd, buf, len);
            return new Result(r, r < 0 ? (int) ERRNO.get(cs, 0L) : 0);
        } catch (Throwable t) {
            throw new IllegalStateException("write(2) call failed", t);
        }
    }

    /** Waits up to {@code timeoutMillis} for {@code events} on fd; true if one (or an error/hangup) is there. */
    static boolean poll(int fd, short events, int timeoutMillis) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment pfd = a.allocate(8);
            pfd.set(ValueLayout.JAVA_INT, 0, fd);
            pfd.set(ValueLayout.JAVA_SHORT, 4, events);
            MemorySegment cs = a.allocate(CAPTURE);
            int n = (int) POLL.invokeExact(cs, pfd, 1L, timeoutMillis);
            return n > 0;
        } catch (Throwable t) {
            throw new IllegalStateException("poll(2) call failed", t);
        }
    }

    /** True if fd is an open descriptor (fcntl F_GETFD succeeds). */
    static boolean isOpen(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(CAPTURE);
            int r = (int) FCNTL.invokeExact(cs, fd, 1);
            return r >= 0;
        } catch (Throwable t) {
            throw new IllegalStateException("fcntl(2) call failed", t);
        }
    }

    static void close(int fd) {
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw new IllegalStateException("close(2) call failed", t);
        }
    }
}
