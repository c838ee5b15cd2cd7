package io.jvmm.core.os;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives the JIT's optimizing compiler threads (HotSpot's C2) a lower CPU priority than the VMM's
 * own threads. A VMM's device threads have deadlines (a tap queue holds 1000 frames; at 5,000
 * frames/s that is 0.2 s), a background compile has none. Measured on the project's 2-core machines:
 * right after a migration's target resumes, C2 compiling its freshly used data path took 20-70 % of
 * a core for about 0.6 s, and the tap queues overflowed meanwhile. With a nice value of 19 the
 * compiles still run, in the CPU time the device threads leave idle. C1 (quick, cheap compiles that
 * take cold code out of the interpreter) keeps the normal priority.
 *
 * <p>Lowering one's own threads' priority needs no privilege. HotSpot starts its compiler threads
 * at JVM start when {@code -XX:-UseDynamicNumberOfCompilerThreads} is set (bin/jvmm does), so one
 * pass at start-up finds them all.
 */
public final class CompilerThreads {
    private static final Logger log = LoggerFactory.getLogger(CompilerThreads.class);
    /** HotSpot names them "C2 CompilerThread0", ...; Linux truncates thread names to 15 bytes. */
    private static final String C2_PREFIX = "C2 CompilerThre";

    private CompilerThreads() {
    }

    /** Whether a thread name (as /proc shows it) is one of HotSpot's C2 compiler threads. */
    public static boolean isOptimizingCompiler(String threadName) {
        return threadName.startsWith(C2_PREFIX);
    }

    /**
     * Sets the nice value of this process's C2 compiler threads.
     *
     * @return the thread ids changed (empty when not on Linux, or with no C2 thread, e.g. -XX:TieredStopAtLevel=1)
     */
    public static List<Integer> lowerOptimizingCompilers(int nice) {
        List<Integer> changed = new ArrayList<>();
        for (ThreadNice.Task t : ThreadNice.tasks()) {
            if (isOptimizingCompiler(t.name())) {
                if (ThreadNice.set(t.tid(), nice)) {
                    changed.add(t.tid());
                } else {
                    log.warn("could not lower the priority of JIT compiler thread {} (device threads may compete"
                            + " with compiles on a busy host)", t.tid());
                }
            }
        }
        log.debug("C2 compiler threads {} now at nice {}", changed, nice);
        return changed;
    }
}
