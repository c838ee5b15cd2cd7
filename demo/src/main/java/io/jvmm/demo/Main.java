package io.jvmm.demo;

import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/** {@code jvmm demo}: runs {@link LocalMigrationDemo} with live status and prints the summary. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(List.of(args), System.out, System.err));
    }

    static int run(List<String> args, PrintStream out, PrintStream err) {
        DemoOptions opts;
        try {
            opts = DemoOptions.parse(args, DemoOptions.defaultJvmm());
        } catch (IllegalArgumentException | IllegalStateException e) {
            err.println(e.getMessage());
            return args.contains("--help") || args.contains("-h") ? 0 : 2;
        }
        String why = io.jvmm.testkit.host.NetNamespace.unavailableReason();
        if (why != null) {
            err.println("jvmm demo: " + why + "; it creates a private network namespace with a TAP device.");
            return 1;
        }
        boolean tty = System.console() != null;
        AtomicBoolean lineOpen = new AtomicBoolean();
        LocalMigrationDemo demo = new LocalMigrationDemo(opts, line -> {
            if (tty) {
                err.print("\r\033[K" + line);
                lineOpen.set(true);
            } else {
                err.println(line);
            }
        });
        Thread cleanup = new Thread(() -> {
            err.println();
            err.println("jvmm demo: interrupted, cleaning up (VMs, namespace, tap, RAM file)");
            demo.abort();
        }, "demo-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            LocalMigrationDemo.Report report;
            try {
                report = demo.run();
            } finally {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            }
            if (lineOpen.get()) {
                err.println();
            }
            LocalMigrationDemo.printSummary(report, out);
            boolean ok = report.allCompleted() && report.rounds().stream().filter(RoundResult::local).count() == opts.rounds();
            long lostLocal = report.stream().lost();
            if (!ok) {
                err.println("jvmm demo: a migration failed (see the table above)");
                return 1;
            }
            if (lostLocal > 0) {
                // A measured result, not a failure of the command: say it plainly and where it is analysed.
                err.printf(java.util.Locale.ROOT, "jvmm demo: %d of %d packets (%.2f %%) were not echoed%s;"
                        + " see docs/performance.md, \"Migration under traffic\"%n", lostLocal,
                        report.stream().sent(), 100.0 * lostLocal / Math.max(1, report.stream().sent()),
                        opts.oldWay() ? " (the old-way round included)" : "");
            } else {
                err.printf(java.util.Locale.ROOT, "jvmm demo: %d local migration(s) under %d packets/s, 0 of %d packets"
                        + " lost%n", opts.rounds(), opts.rate(), report.stream().sent());
            }
            return 0;
        } catch (Exception e) {
            if (lineOpen.get()) {
                err.println();
            }
            err.println("jvmm demo failed: " + e.getMessage());
            return 1;
        }
    }
}
