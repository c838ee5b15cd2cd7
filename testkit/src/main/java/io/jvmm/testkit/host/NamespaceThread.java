package io.jvmm.testkit.host;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A platform thread that lives inside a network namespace (setns(2) moves only the calling
 * thread). Sockets it creates belong to that namespace for their whole life and can then be used
 * from any thread, so a test can talk to a guest inside a namespace without a child process.
 */
final class NamespaceThread implements AutoCloseable {
    private static final int CLONE_NEWNET = 0x40000000;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle OPEN = LINKER.downcallHandle(LINKER.defaultLookup().find("open").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle SETNS = LINKER.downcallHandle(LINKER.defaultLookup().find("setns").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle CLOSE = LINKER.downcallHandle(LINKER.defaultLookup().find("close").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private final ExecutorService thread;

    NamespaceThread(String namespace) {
        thread = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().daemon().name("netns-" + namespace).unstarted(r));
        call(() -> {
            try {
                enter(namespace);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
            return null;
        });
    }

    private static void enter(String namespace) throws Throwable {
        int fd;
        try (Arena arena = Arena.ofConfined()) {
            fd = (int) OPEN.invokeExact(arena.allocateFrom("/var/run/netns/" + namespace), 0 /* O_RDONLY */);
        }
        if (fd < 0) {
            throw new IllegalStateException("cannot open /var/run/netns/" + namespace + " (does the namespace exist?)");
        }
        try {
            int rc = (int) SETNS.invokeExact(fd, CLONE_NEWNET);
            if (rc != 0) {
                throw new IllegalStateException("setns into " + namespace + " failed (needs root / CAP_SYS_ADMIN)");
            }
        } finally {
            int ignored = (int) CLOSE.invokeExact(fd);
        }
    }

    /** Runs {@code task} inside the namespace and returns its result. */
    <T> T call(Callable<T> task) {
        Future<T> f = thread.submit(task);
        try {
            return f.get();
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(c.getMessage(), c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
