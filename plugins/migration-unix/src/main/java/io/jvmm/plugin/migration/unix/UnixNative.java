package io.jvmm.plugin.migration.unix;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/** The plugin's native calls (FFM): close(2), and fcntl(2) to duplicate a received descriptor. */
final class UnixNative {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle CLOSE = LINKER.downcallHandle(LINKER.defaultLookup().find("close").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle FCNTL_INT = LINKER.downcallHandle(
            LINKER.defaultLookup().find("fcntl").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
            Linker.Option.firstVariadicArg(2));
    private static final int F_DUPFD_CLOEXEC = 1030;

    private UnixNative() {
    }

    static void close(int fd) {
        int rc;
        try {
            rc = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw new IllegalStateException("close(" + fd + ")", t);
        }
        if (rc != 0) {
            org.slf4j.LoggerFactory.getLogger(UnixNative.class).warn("close({}) failed", fd);
        }
    }

    /** A new descriptor (close-on-exec) for the same open file; the original stays open. */
    static int dupCloexec(int fd) {
        int rc;
        try {
            rc = (int) FCNTL_INT.invokeExact(fd, F_DUPFD_CLOEXEC, 0);
        } catch (Throwable t) {
            throw new IllegalStateException("fcntl(" + fd + ", F_DUPFD_CLOEXEC)", t);
        }
        if (rc < 0) {
            throw new IllegalStateException("fcntl(" + fd + ", F_DUPFD_CLOEXEC) failed (out of descriptors?)");
        }
        return rc;
    }
}
