package io.jvmm.it.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.demo.DemoOptions;
import io.jvmm.demo.LocalMigrationDemo;
import io.jvmm.demo.RoundResult;
import io.jvmm.it.support.JvmmProcess;
import io.jvmm.testkit.Requirements;
import io.jvmm.testkit.host.NetNamespace;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 7's end-to-end scenario with real processes: the seed's machine and NIC on a 4-queue tap
 * in a private namespace, a 20,000 packets/s UDP stream over 8 flows (so every queue carries
 * traffic), and local migrations in a row while the guest echoes it, then one the old way (local
 * off, the target opens its own queues) in the same stream. What a user checks: every migration
 * completed, the tap keeps its queues, the hole in the traffic is short, and each local migration
 * loses far less than the old way under the very same load.
 */
class LocalMigrationUnderTrafficTest {

    @BeforeEach
    void requirements() {
        String why = NetNamespace.unavailableReason();
        Requirements.require(why == null, why == null ? "" : why);
    }

    private static DemoOptions options(int rounds, boolean oldWay) {
        return new DemoOptions(4, 20_000, 8, rounds, 64, oldWay, 256, List.of(JvmmProcess.executable().toString()), false, false,
                DemoOptions.DEFAULT_TAP_QUEUE_LENGTH);
    }

    private static LocalMigrationDemo.Report run(DemoOptions opts, String reportName) throws Exception {
        LocalMigrationDemo.Report report = new LocalMigrationDemo(opts, line -> System.err.println("[demo] " + line)).run();
        ByteArrayOutputStream table = new ByteArrayOutputStream();
        LocalMigrationDemo.printSummary(report, new PrintStream(table, true, StandardCharsets.UTF_8));
        String text = table.toString(StandardCharsets.UTF_8);
        System.out.println(text);
        Files.writeString(Path.of("target", reportName), text);
        return report;
    }

    @Test
    void threeLocalMigrationsInARowThenTheOldWayUnderTwentyThousandPacketsPerSecond() throws Exception {
        // One stream, four migrations: A to B to C to D locally, then D to E the old way (local off,
        // the target opens its own queues), so the difference is measured in the same run, not claimed.
        LocalMigrationDemo.Report report = run(options(3, true), "local-migration-under-traffic.md");

        assertEquals(4, report.rounds().size(), "A to B to C to D locally, then D to E the old way");
        for (int i = 0; i < 4; i++) {
            RoundResult r = report.rounds().get(i);
            String round = r.from() + " -> " + r.to();
            assertEquals(i < 3, r.local(), round + " local");
            assertEquals("completed", r.status(), round + ": " + r.error());
            assertTrue(r.echoedDuring() > 0, "traffic continued through " + round);
        }
        var s = report.stream();
        assertTrue(s.sent() >= 20_000, "the stream ran: " + s);
        assertEquals(0, s.duplicates(), "duplicated echoes: " + s);

        RoundResult.Loss oldWay = report.lossByRound().get(3);
        long localLost = 0;
        for (int i = 0; i < 3; i++) {
            RoundResult r = report.rounds().get(i);
            String round = r.from() + " -> " + r.to();
            // local migration keeps the very same kernel queues: none added, none lost
            assertEquals(4, r.tapQueuesBefore(), "tap queues before " + round);
            assertEquals(4, r.tapQueuesAfter(), "tap queues after the source quit (" + round + ")");
            // the hole stays below what one tap queue buffers (1000 frames, 0.2 s at 5,000/s per queue)
            assertTrue(r.largestGapMillis() < 1000, "largest gap in " + round + ": " + r.largestGapMillis() + " ms");
            RoundResult.Loss lost = report.lossByRound().get(i);
            localLost += lost.total();
            assertTrue(lost.total() * 3 < oldWay.total(), round + " lost " + lost + ", not a third of the old way's "
                    + oldWay + " in the same stream");
        }
        // The bar is 0 lost; not reliable yet. Most local migrations lose nothing now, but on 2
        // shared cores a starting target (a cold JVM) still costs a burst of a few hundred packets now and
        // then (docs/performance.md, "Where the loss happens"). Until that is closed, this bound only guards
        // against regressions such as a handover that loses the queues for a second (20,000 packets): at
        // most 5 % of the stream.
        assertTrue(localLost <= s.sent() / 20, "lost in the three local migrations: " + localLost + " of " + s);
    }
}
