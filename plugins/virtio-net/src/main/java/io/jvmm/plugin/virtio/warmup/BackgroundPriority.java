package io.jvmm.plugin.virtio.warmup;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * Lowers the calling thread's CPU priority (Linux setpriority(2) on its thread id): for work that
 * has no deadline, such as a warm-up, while the host also runs a VM that has one. Needs no privilege;
 * where it is not possible the thread simply keeps the normal priority.
 */
public final class BackgroundPriority {
    private static final int PRIO_PROCESS = 0;

    private BackgroundPriority() {
    }

    /** Sets the calling thread's nice value; false if that was not possible. */
    public static boolean lowerCurrentThread(int nice) {
        try {
            int tid = Integer.parseInt(Path.of("/proc/thread-self").toRealPath().getFileName().toString());
            Linker linker = Linker.nativeLinker();
            MethodHandle setpriority = linker.downcallHandle(linker.defaultLookup().find("setpriority").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                            ValueLayout.JAVA_INT));
            return (int) setpriority.invokeExact(PRIO_PROCESS, tid, nice) == 0;
        } catch (Throwable t) {
            return false;
        }
    }
}
