package io.jvmm.core.migration;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Figures of one migration, updated by its thread and read by query-migrate. Times are taken with
 * {@link System#nanoTime()} and reported in QEMU's units (milliseconds), the switchover breakdown in
 * microseconds.
 */
final class MigrationProgress {
    final long startNanos = System.nanoTime();
    /** Source: channel open (after connecting), target's ACCEPT received. */
    volatile long connectedNanos;
    volatile long acceptedNanos;
    volatile long setupDoneNanos;
    volatile long stoppedNanos;
    volatile long ramDoneNanos;
    volatile long stateSentNanos;
    volatile long loadedNanos;
    volatile long finishedNanos;
    volatile long targetLoadMicros = -1;
    volatile int descriptorsSent;
    volatile int sections;
    volatile String ramMode = "copy";

    /** Target: how long each section's load took (microseconds), in stream order. */
    final Map<String, Long> sectionLoadMicros = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
    final AtomicLong ramTotal = new AtomicLong();
    final AtomicLong ramTransferred = new AtomicLong();
    final AtomicLong ramRemaining = new AtomicLong();
    final AtomicLong normalPages = new AtomicLong();
    final AtomicLong zeroPages = new AtomicLong();

    Map<String, Object> toQmp(MigrationStatus status, boolean outgoing) {
        long now = System.nanoTime();
        Map<String, Object> m = new LinkedHashMap<>();
        long end = finishedNanos != 0 ? finishedNanos : now;
        m.put("total-time", ms(end - startNanos));
        if (setupDoneNanos != 0) {
            m.put("setup-time", ms(setupDoneNanos - startNanos));
        }
        if (outgoing && status == MigrationStatus.COMPLETED && stoppedNanos != 0 && loadedNanos != 0) {
            m.put("downtime", ms(loadedNanos - stoppedNanos));
        }
        if (outgoing && !status.finished() && stoppedNanos == 0) {
            m.put("expected-downtime", 0L);
        }
        Map<String, Object> ram = new LinkedHashMap<>();
        long elapsedNanos = Math.max(1, (ramDoneNanos != 0 ? ramDoneNanos : now) - (stoppedNanos != 0 ? stoppedNanos : now));
        ram.put("transferred", ramTransferred.get());
        ram.put("remaining", ramRemaining.get());
        ram.put("total", ramTotal.get());
        ram.put("duplicate", zeroPages.get());
        ram.put("normal", normalPages.get());
        ram.put("normal-bytes", normalPages.get() * StreamFormat.PAGE_SIZE);
        ram.put("mbps", ramTransferred.get() * 8.0 / 1e6 / (elapsedNanos / 1e9));
        ram.put("page-size", (long) StreamFormat.PAGE_SIZE);
        ram.put("x-mode", ramMode);
        m.put("ram", ram);
        if (outgoing && acceptedNanos != 0) {
            // where the setup time goes (the guest still runs): connect, the target's validation, warm-ups
            Map<String, Object> su = new LinkedHashMap<>();
            su.put("connect-us", us(connectedNanos - startNanos));
            su.put("handshake-us", us(acceptedNanos - connectedNanos));
            if (setupDoneNanos != 0) {
                su.put("warm-up-us", us(setupDoneNanos - acceptedNanos));
            }
            m.put("x-setup", su);
        }
        if (outgoing && stoppedNanos != 0) {
            Map<String, Object> sw = new LinkedHashMap<>();
            sw.put("stop-us", us(stoppedNanos - (setupDoneNanos != 0 ? setupDoneNanos : stoppedNanos)));
            if (ramDoneNanos != 0) {
                sw.put("ram-us", us(ramDoneNanos - stoppedNanos));
            }
            if (stateSentNanos != 0) {
                sw.put("state-sent-us", us(stateSentNanos - (ramDoneNanos != 0 ? ramDoneNanos : stoppedNanos)));
                sw.put("sections", (long) sections);
                sw.put("descriptors", (long) descriptorsSent);
            }
            if (loadedNanos != 0) {
                sw.put("target-load-us", targetLoadMicros);
                sw.put("loaded-ack-us", us(loadedNanos - stateSentNanos));
            }
            if (finishedNanos != 0 && loadedNanos != 0) {
                sw.put("commit-us", us(finishedNanos - loadedNanos));
            }
            m.put("x-switchover", sw);
        }
        if (!outgoing && !sectionLoadMicros.isEmpty()) {
            synchronized (sectionLoadMicros) {
                m.put("x-load-us", new LinkedHashMap<>(sectionLoadMicros));
            }
        }
        return m;
    }

    private static long ms(long nanos) {
        return Math.max(0, nanos) / 1_000_000;
    }

    private static long us(long nanos) {
        return Math.max(0, nanos) / 1_000;
    }
}
