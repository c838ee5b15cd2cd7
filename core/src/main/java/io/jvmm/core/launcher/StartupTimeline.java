package io.jvmm.core.launcher;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a VMM's start-up time goes, logged at debug level once QMP listens ({@code JVMM_LOG=debug}):
 * the JVM's own start (JVM creation to {@code main}) and each phase of the launcher after it. For an
 * operator asking why a start was slow, and for whoever works on docs/performance.md's start-up figures.
 */
final class StartupTimeline {
    /** When main began: set as early as the launcher's classes load. */
    private static final long MAIN_NANOS = System.nanoTime();
    private static final long MAIN_MILLIS = System.currentTimeMillis();

    private final List<String> phases = new ArrayList<>();
    private long last = MAIN_NANOS;

    /** Touches the class so its clock starts; call first thing in main. */
    static void begin() {
        // the static initializer did the work
    }

    /** The phase that just ended. */
    void mark(String phase) {
        long now = System.nanoTime();
        phases.add(phase + " " + Duration.ofNanos(now - last).toMillis() + " ms");
        last = now;
    }

    void log() {
        // Not a static field: begin() runs before Main has read -d, and the first logger made
        // fixes slf4j's level (with a static logger here, -d logged nothing at debug level).
        Logger log = LoggerFactory.getLogger(StartupTimeline.class);
        if (!log.isDebugEnabled()) {
            return;
        }
        // java.management costs some 20 ms to load: only asked when the line is logged
        long jvm = MAIN_MILLIS - java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime();
        log.debug("start-up: JVM to main {} ms, {}; {} ms since main", jvm, String.join(", ", phases),
                Duration.ofNanos(last - MAIN_NANOS).toMillis());
    }
}
