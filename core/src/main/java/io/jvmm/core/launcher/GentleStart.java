package io.jvmm.core.launcher;

import io.jvmm.core.os.CompilerThreads;
import io.jvmm.core.os.ThreadNice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A VMM started for an incoming migration does its start-up (plugins, configuration, wiring, the
 * VM's assembly: most of a second of CPU on the main thread) at a lower priority, so that it does
 * not take the CPU from the VM it is about to replace: on a 2-core host the source's data path and
 * its guest stalled for up to 200 ms while a target started, and the tap's queues overflowed. Only
 * the start-up work is lowered, not the JIT: the target's code must be compiled by the switchover.
 * Threads created meanwhile inherit the lower priority; {@link #done()} puts every one of them back
 * at 0, which needs CAP_SYS_NICE (root has it; a VMM that manages TAP devices usually runs as root).
 * Without it nothing is lowered: a VMM must not stay slower for good.
 */
final class GentleStart {
    private static final Logger log = LoggerFactory.getLogger(GentleStart.class);
    private final int nice;
    private final boolean active;

    private GentleStart(int nice, boolean active) {
        this.nice = nice;
        this.active = active;
    }

    /** Lowers the calling (start-up) thread to {@code nice} if that can be undone. */
    static GentleStart begin(int nice) {
        if (nice <= 0 || !ThreadNice.canRaise()) {
            return new GentleStart(nice, false);
        }
        boolean ok = ThreadNice.setCurrent(nice);
        log.debug("incoming VMM: start-up at nice {}", nice);
        return new GentleStart(nice, ok);
    }

    /** Start-up is over: every thread at the start-up priority goes back to 0 (the JIT's own stay as they are). */
    void done() {
        if (!active) {
            return;
        }
        int restored = 0;
        for (ThreadNice.Task t : ThreadNice.tasks()) {
            if (t.nice() == nice && !CompilerThreads.isOptimizingCompiler(t.name()) && ThreadNice.set(t.tid(), 0)) {
                restored++;
            }
        }
        log.debug("start-up done: {} threads back at nice 0", restored);
    }
}
