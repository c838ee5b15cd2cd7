package io.jvmm.core.migration;

import io.jvmm.core.os.ThreadNice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Raises a migration thread's CPU priority for the switchover only: on the source from just before
 * the stop until the commit, on the target from the handshake until the guest runs again. The
 * switchover is a few milliseconds of work, but on a busy host (the project's 2-core machines run
 * the source, the starting target, the guest and the traffic at once) each of its steps waited for
 * a core: the target's loading of a handful of ioctls took 5-28 ms of wall time. A thread at a
 * negative nice value is picked first when it wakes. Nothing else is raised: the guest's threads
 * keep their priority, and the boost ends with the switchover.
 *
 * <p>Raising a priority needs CAP_SYS_NICE (root has it; a VMM handing over TAP descriptors usually
 * runs as root); without it, or with {@code JVMM_SWITCHOVER_NICE=0}, this does nothing. On Linux a
 * nice value belongs to one thread ({@link ThreadNice#setCurrent}).
 */
final class SwitchoverPriority {
    private static final Logger log = LoggerFactory.getLogger(SwitchoverPriority.class);
    /** The setting: a nice value from -20 to 0 for the switchover (0 = leave it alone). */
    static final String ENV = "JVMM_SWITCHOVER_NICE";
    static final int DEFAULT_NICE = -10;

    private final int nice;
    private boolean raised;

    private SwitchoverPriority(int nice) {
        this.nice = nice;
    }

    /**
     * Decided before the switchover (reading /proc is not switchover work): the nice value from
     * {@link #ENV}, or a no-op when the process cannot raise priorities.
     */
    static SwitchoverPriority prepare() {
        return of(setting(System.getenv(ENV)));
    }

    /** A switchover at {@code nice} (from -20 to 0), if this process may raise priorities. */
    static SwitchoverPriority of(int nice) {
        int n = nice;
        if (n != 0 && !ThreadNice.canRaise()) {
            log.debug("switchover at normal priority: no CAP_SYS_NICE");
            n = 0;
        }
        if (n != 0) {
            set(0); // links the downcall now, not inside the switchover (the thread is at 0 already)
        }
        return new SwitchoverPriority(n);
    }

    /** Parses the setting; a bad value is reported and the default used (a migration must not fail on it). */
    static int setting(String value) {
        if (value == null || value.isBlank()) {
            return DEFAULT_NICE;
        }
        try {
            int n = Integer.parseInt(value.strip());
            if (n >= -20 && n <= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        log.warn("{} must be a nice value from -20 to 0 (0 = off), not '{}'; using {}", ENV, value, DEFAULT_NICE);
        return DEFAULT_NICE;
    }

    /** The nice value the switchover runs at (0: unchanged). */
    int nice() {
        return nice;
    }

    /** Raises the calling thread; idempotent. */
    void raise() {
        if (nice != 0 && !raised) {
            raised = set(nice);
        }
    }

    /** Back to nice 0 (migration threads start at 0; a target's start-up priority ends before this). */
    void restore() {
        if (raised) {
            raised = !set(0);
        }
    }

    private static boolean set(int value) {
        boolean ok = ThreadNice.setCurrent(value);
        if (!ok) {
            log.debug("switchover priority {} not set", value);
        }
        return ok;
    }
}
