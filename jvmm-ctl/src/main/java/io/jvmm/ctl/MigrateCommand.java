package io.jvmm.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code migrate URI}: applies the migration setup, starts the migration, shows its progress until it ends and
 * prints a summary. Ctrl-C while it runs sends {@code migrate_cancel}, so the source keeps the VM.
 *
 * @param interval how often {@code query-migrate} is polled; a MIGRATION event triggers a poll at once
 */
public record MigrateCommand(String uri, MigrationSetup setup, Duration interval) implements CtlCommand {
    private static final Logger log = LoggerFactory.getLogger(MigrateCommand.class);
    private static final Set<String> FINISHED = Set.of("completed", "failed", "cancelled");
    /** Without a terminal, print a plain progress line at most this often (and on every status change). */
    private static final long PLAIN_LINE_EVERY_NANOS = Duration.ofSeconds(1).toNanos();

    @Override
    public ExitCode run(QmpClient qmp, Output out) {
        setup.apply(qmp);
        CancelOnInterrupt cancel = new CancelOnInterrupt(qmp, out);
        Runtime.getRuntime().addShutdownHook(cancel);
        JsonNode info;
        try {
            qmp.execute("migrate", Json.object().put("uri", uri));
            info = watch(qmp, out);
        } finally {
            cancel.disarm();
        }
        out.result(info, String.join(System.lineSeparator(), MigrationSummary.lines(info)));
        return info.path("status").asText().equals("completed") ? ExitCode.OK : ExitCode.MIGRATION_FAILED;
    }

    private JsonNode watch(QmpClient qmp, Output out) {
        String shownStatus = null;
        long shownAt = 0;
        while (true) {
            JsonNode info = qmp.execute("query-migrate", null);
            String status = info.path("status").asText("none");
            long now = System.nanoTime();
            if (out.terminal()) {
                out.progress(MigrationProgress.bar(info));
            } else if (!status.equals(shownStatus) || now - shownAt >= PLAIN_LINE_EVERY_NANOS) {
                out.progress(MigrationProgress.plain(info));
                shownStatus = status;
                shownAt = now;
            }
            if (FINISHED.contains(status)) {
                return info;
            }
            awaitMigrationEvent(qmp);
        }
    }

    /** Waits one interval, cut short by a MIGRATION event (a status change worth showing at once). */
    private void awaitMigrationEvent(QmpClient qmp) {
        long deadline = System.nanoTime() + interval.toNanos();
        long left;
        while ((left = deadline - System.nanoTime()) > 0) {
            JsonNode event = qmp.nextEvent(Duration.ofNanos(left)).orElse(null);
            if (event != null && event.path("event").asText().equals("MIGRATION")) {
                log.debug("migration status event: {}", event.path("data"));
                return;
            }
        }
    }

    /** A shutdown hook: on Ctrl-C during the migration, cancel it rather than leave it running unwatched. */
    private static final class CancelOnInterrupt extends Thread {
        private final QmpClient qmp;
        private final Output out;
        private volatile boolean armed = true;

        CancelOnInterrupt(QmpClient qmp, Output out) {
            super("jvmmctl-cancel-migration");
            this.qmp = qmp;
            this.out = out;
        }

        void disarm() {
            armed = false;
            try {
                Runtime.getRuntime().removeShutdownHook(this);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or about to; 'armed' already keeps it from cancelling
            }
        }

        @Override
        public void run() {
            if (!armed || qmp.isClosed()) {
                return;
            }
            out.note("jvmmctl: interrupted; cancelling the migration (migrate_cancel)");
            try {
                qmp.execute("migrate_cancel", null);
                out.note("jvmmctl: migration cancelled; the source keeps running the VM");
            } catch (CtlException e) {
                out.note("jvmmctl: could not cancel the migration: " + e.getMessage());
            }
        }
    }
}
