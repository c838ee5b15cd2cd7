package io.jvmm.core.migration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fault injection for end-to-end tests, QEMU's "x-" spirit: with
 * {@code -Djvmm.migration.x-pause-at=POINT} an incoming migration stops at POINT and waits there
 * until the process is killed, so a test can kill the target at exactly that moment and check that
 * the source recovers. Points: {@code hello} (HELLO read, nothing validated), {@code descriptors}
 * (a section's descriptors received, not loaded), {@code load} (a section loaded, END not yet
 * read). Unset, it costs one field read.
 */
final class FaultPoint {
    private static final Logger log = LoggerFactory.getLogger(FaultPoint.class);
    private static final String PAUSE_AT = System.getProperty("jvmm.migration.x-pause-at", "");

    private FaultPoint() {
    }

    static void reach(String point) {
        if (!PAUSE_AT.equals(point)) {
            return;
        }
        log.warn("x-pause-at {}: incoming migration paused here for a test; kill the process", point);
        while (true) {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
