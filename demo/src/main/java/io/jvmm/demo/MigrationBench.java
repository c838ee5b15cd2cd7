package io.jvmm.demo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The migration benchmark of issue 7: the demo's scenario (seed machine, 4-queue tap, UDP stream)
 * run side by side in one go as jvmm local migration, jvmm the old way, and QEMU 7.2's ordinary
 * migration with shared RAM and x-ignore-shared. Each variant is one chain of {@code reps}
 * migrations; figures are medians. Writes a markdown table and the rows of the chart (migration.tsv).
 *
 * <pre>java ... io.jvmm.demo.MigrationBench [--reps 10] [--rate 20000] [--tap-queue-len 4096] [--out DIR] [--no-qemu]</pre>
 */
public final class MigrationBench {
    private MigrationBench() {
    }

    /** Medians of one variant. */
    public record Row(String variant, int migrations, int completed, double switchoverMs, double migrateMs,
            double downtimeMs, double largestGapMs, double lostPerMigration, long sent, long lost) {
    }

    public static void main(String[] args) throws Exception {
        int reps = 10;
        int rate = 20_000;
        Path out = Path.of("bench-results");
        boolean qemu = true;
        int tapQueueLength = DemoOptions.DEFAULT_TAP_QUEUE_LENGTH;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--rate" -> rate = Integer.parseInt(args[++i]);
                case "--tap-queue-len" -> tapQueueLength = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--no-qemu" -> qemu = false;
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        String why = io.jvmm.testkit.host.NetNamespace.unavailableReason();
        if (why != null) {
            System.err.println("migration bench: " + why);
            System.exit(1);
        }
        DemoOptions base = new DemoOptions(4, rate, 8, reps, 64, false, 256, DemoOptions.defaultJvmm(), false, false,
                tapQueueLength);
        Map<String, DemoOptions> variants = new LinkedHashMap<>();
        variants.put("jvmm local migration", base.variant(reps, false, false));
        variants.put("jvmm old way (target opens its own queues)", base.variant(reps, true, false));
        if (qemu) {
            variants.put("QEMU 7.2 ordinary migration, shared RAM + x-ignore-shared", base.variant(reps, true, true));
        }
        List<Row> rows = new ArrayList<>();
        for (var v : variants.entrySet()) {
            System.err.println("== " + v.getKey() + ": " + reps + " migrations");
            LocalMigrationDemo.Report r = new LocalMigrationDemo(v.getValue(), line -> System.err.println("   " + line)).run();
            // every round with its losses by phase, in the log: where a median comes from
            LocalMigrationDemo.printSummary(r, System.err);
            rows.add(summarize(v.getKey(), r));
        }
        Files.createDirectories(out);
        String table = table(rows, base, reps);
        Files.writeString(out.resolve("migration.md"), table);
        // The chart is drawn by distribution/bench/BarChart.java (migration-bench.sh), the one chart writer the
        // benchmarks share: one panel per measure, QEMU's bar first as the reference.
        Files.writeString(out.resolve("migration.tsv"), chartRows(rows));
        System.out.println(table);
    }

    /** {@code panel<TAB>bar<TAB>value<TAB>text} rows for BarChart.java, the QEMU variant first in each panel. */
    static String chartRows(List<Row> rows) {
        List<Row> ordered = new ArrayList<>(rows.stream().filter(r -> r.variant().startsWith("QEMU")).toList());
        ordered.addAll(rows.stream().filter(r -> !r.variant().startsWith("QEMU")).toList());
        StringBuilder b = new StringBuilder();
        for (Row r : ordered) {
            String bar = shortName(r);
            b.append(String.format(Locale.ROOT, "switchover ms (STOP to RESUME)\t%s\t%.2f\t%.1f ms%n", bar,
                    r.switchoverMs(), r.switchoverMs()));
        }
        for (Row r : ordered) {
            b.append(String.format(Locale.ROOT, "largest gap in the echoes ms\t%s\t%.1f\t%.0f ms%n",
                    shortName(r), r.largestGapMs(), r.largestGapMs()));
        }
        for (Row r : ordered) {
            b.append(String.format(Locale.ROOT, "packets lost per migration\t%s\t%.1f\t%.0f%n",
                    shortName(r), r.lostPerMigration(), r.lostPerMigration()));
        }
        return b.toString();
    }

    /** The bar label: the variant's name up to its first qualifier ("jvmm old way", "QEMU 7.2 ordinary migration"). */
    static String shortName(Row r) {
        String v = r.variant().replace('\t', ' ');
        int cut = v.indexOf(v.startsWith("QEMU") ? "," : " (");
        return cut > 0 ? v.substring(0, cut) : v;
    }

    static Row summarize(String name, LocalMigrationDemo.Report r) {
        List<RoundResult> ok = r.rounds().stream().filter(x -> "completed".equals(x.status())).toList();
        double lostPer = r.rounds().isEmpty() ? 0 : (double) r.stream().lost() / r.rounds().size();
        return new Row(name, r.rounds().size(), ok.size(),
                median(ok.stream().mapToDouble(RoundResult::switchoverMillis).toArray()),
                median(ok.stream().mapToDouble(RoundResult::migrateMillis).toArray()),
                median(ok.stream().mapToDouble(RoundResult::downtimeMillis).toArray()),
                median(ok.stream().mapToDouble(RoundResult::largestGapMillis).toArray()),
                lostPer, r.stream().sent(), r.stream().lost());
    }

    static double median(double[] v) {
        if (v.length == 0) {
            return Double.NaN;
        }
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    static String table(List<Row> rows, DemoOptions o, int reps) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "Scenario: q35 + pcie-pci-bridge + virtio-net-pci (mq, %d queue pairs) on a"
                + " %d-queue tap (txqueuelen %d), 256 MiB shared RAM, UDP echo at %d packets/s over %d flows; %d migrations"
                + " per variant in a chain; medians.%n%n", o.queues(), o.queues(), o.tapQueueLength(), o.rate(), o.flows(),
                reps));
        b.append("| variant | completed | switchover ms | migrate to running ms | reported downtime ms"
                + " | largest gap ms | packets lost per migration |\n");
        b.append("|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            b.append(String.format(Locale.ROOT, "| %s | %d/%d | %.2f | %.1f | %.0f | %.1f | %.1f |%n", r.variant(),
                    r.completed(), r.migrations(), r.switchoverMs(), r.migrateMs(), r.downtimeMs(), r.largestGapMs(),
                    r.lostPerMigration()));
        }
        Row qemu = rows.stream().filter(r -> r.variant().startsWith("QEMU")).findFirst().orElse(null);
        Row local = rows.get(0);
        if (qemu != null) {
            b.append(String.format(Locale.ROOT, "%nRatios jvmm local / QEMU: switchover %.2f, migrate to running %.2f"
                    + " (goal: at most 0.20 for switchover).%n", local.switchoverMs() / qemu.switchoverMs(),
                    local.migrateMs() / qemu.migrateMs()));
        }
        return b.toString();
    }
}
