package io.jvmm.it.migration;

import static io.jvmm.it.migration.MigrationRig.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The seed's local migration, verbatim: its command lines (qtest instead of kvm, the target with
 * -S so that it stays paused until cont, as the series' test expects) and its QMP sequence, with a
 * ping running from the namespace the whole time.
 */
@Timeout(240)
class LocalMigrationSeedTest {

    @BeforeAll
    static void requirements() {
        MigrationRig.requirements();
    }

    @Test
    void seedSequenceHandsTheTapOverAndTheGuestKeepsAnswering() throws Exception {
        try (MigrationRig rig = new MigrationRig("migseed")) {
            rig.startSource(MigrationRig.jvmm().sharedMemory(true), "-netdev", MigrationRig.SEED_TAP,
                    "-device", MigrationRig.SEED_NIC);
            rig.guestUp();
            rig.assertGuestAnswersPing("before the migration");
            assertEquals(4, rig.ns.tapQueues("tap0"));
            String ram = rig.sourceRamFile();
            rig.startTarget(MigrationRig.jvmm(), "-S",
                    "-object", "memory-backend-file,id=ram0,size=256M,mem-path=" + ram + ",share=on",
                    "-machine", "memory-backend=ram0",
                    "-netdev", MigrationRig.SEED_TAP_INCOMING, "-device", MigrationRig.SEED_NIC);
            assertEquals(0L, MigrationRig.descriptors(rig.target.process().pid()).get("tun"),
                    "the waiting target opened nothing");

            // a ping every 20 ms through the whole migration (the series' flood ping)
            Path pingLog = rig.dir.resolve("ping.log");
            List<String> cmd = new ArrayList<>(rig.ns.execPrefix());
            cmd.addAll(List.of("ping", "-D", "-i", "0.02", "-W", "1", MigrationRig.GUEST));
            Process ping = new ProcessBuilder(cmd).redirectOutput(pingLog.toFile()).redirectErrorStream(true).start();
            double migrateAt;
            try {
                Thread.sleep(2000); // normal operation first: the baseline jitter of this guest on this machine
                migrateAt = System.currentTimeMillis() / 1000.0;
                String uri = "unix:" + rig.sock("migration.sock");
                for (var qmp : List.of(rig.sourceQmp, rig.targetQmp)) {
                    ok(qmp.sendRaw("{\"execute\":\"qmp_capabilities\"}"));
                    ok(qmp.sendRaw("{\"execute\":\"migrate-set-capabilities\",\"arguments\":{\"capabilities\":["
                            + "{\"capability\":\"events\",\"state\":true},{\"capability\":\"x-ignore-shared\",\"state\":true}]}}"));
                    ok(qmp.sendRaw("{\"execute\":\"migrate-set-parameters\",\"arguments\":{\"local\":true}}"));
                }
                ok(rig.targetQmp.sendRaw("{\"execute\":\"migrate-incoming\",\"arguments\":{\"uri\":\"" + uri + "\"}}"));
                ok(rig.sourceQmp.sendRaw("{\"execute\":\"migrate\",\"arguments\":{\"uri\":\"" + uri + "\"}}"));
                JsonNode done = rig.sourceQmp.awaitEvent("MIGRATION", Duration.ofSeconds(60));
                while (!done.path("data").path("status").asText().equals("completed")) {
                    assertTrue(!done.path("data").path("status").asText().equals("failed"),
                            "source failed: " + rig.sourceQmp.execute("query-migrate"));
                    done = rig.sourceQmp.awaitEvent("MIGRATION", Duration.ofSeconds(60));
                }
                // the guest waits for this test to cont the target: keep that short, check the rest after
                long tEvent = System.nanoTime();
                awaitEventStatus(rig.targetQmp, "completed");
                long tTarget = System.nanoTime();
                assertEquals("paused", MigrationRig.runState(rig.targetQmp), "-S: paused until cont");
                long tStatus = System.nanoTime();
                ok(rig.targetQmp.sendRaw("{\"execute\":\"cont\"}"));
                long tCont = System.nanoTime();
                rig.guest.moveTo(rig.source, rig.target);
                long tMoved = System.nanoTime();
                System.out.printf("test reaction after the source's completed event: target event %d ms, status %d ms,"
                        + " cont %d ms, guest moved %d ms%n", (tTarget - tEvent) / 1_000_000, (tStatus - tTarget) / 1_000_000,
                        (tCont - tStatus) / 1_000_000, (tMoved - tCont) / 1_000_000);
                JsonNode info = ok(rig.sourceQmp.sendRaw("{\"execute\":\"query-migrate\"}"));
                assertEquals("completed", info.path("status").asText(), info.toString());
                assertEquals("postmigrate", MigrationRig.runState(rig.sourceQmp));
                assertEquals("running", MigrationRig.runState(rig.targetQmp));
                Thread.sleep(500);
            } finally {
                ping.destroy();
                ping.waitFor(5, TimeUnit.SECONDS);
            }
            System.out.println("query-migrate on the source: " + rig.sourceQmp.execute("query-migrate"));
            System.out.println("query-migrate on the target: " + rig.targetQmp.execute("query-migrate"));

            assertEquals(4L, MigrationRig.descriptors(rig.target.process().pid()).get("tun"),
                    "the target got the 4 tap queues");
            assertEquals(4, rig.ns.tapQueues("tap0"), "no extra queue was attached: the very same queues");
            rig.assertGuestAnswersPing("from the target after cont");

            ok(rig.sourceQmp.sendRaw("{\"execute\":\"quit\"}"));
            assertTrue(rig.source.process().waitFor(20, TimeUnit.SECONDS), "the source quits");
            assertEquals(4, rig.ns.tapQueues("tap0"), "the tap keeps all its queues after the source quit");
            rig.assertGuestAnswersPing("after the source quit");

            String pings = Files.readString(pingLog);
            double baseline = largestGap(pings, 0, migrateAt);
            double gap = largestGap(pings, migrateAt, Double.MAX_VALUE);
            System.out.printf("largest gap between answered pings: %.3f s across the migration, %.3f s before it%n",
                    gap, baseline);
            // The series asserts at most 0.5 s. The qtest guest answers from a polling loop whose own
            // jitter on a busy machine is measured before the migration and allowed on top.
            assertTrue(gap <= 0.5 + baseline, "largest gap between answered pings across the migration " + gap
                    + " s, more than 0.5 s over the " + baseline + " s seen before it");
            ok(rig.targetQmp.sendRaw("{\"execute\":\"quit\"}"));
        }
    }

    private static void awaitEventStatus(io.jvmm.it.support.QmpClient qmp, String status) {
        for (JsonNode e : qmp.events()) {
            if (e.path("event").asText().equals("MIGRATION") && e.path("data").path("status").asText().equals(status)) {
                return;
            }
        }
        while (true) {
            JsonNode e = qmp.awaitEvent("MIGRATION", Duration.ofSeconds(30));
            if (e.path("data").path("status").asText().equals(status)) {
                return;
            }
        }
    }

    /**
     * The largest time between consecutive answered pings in {@code ping -D} output, over replies from
     * {@code from} (the last reply before it included, so a gap spanning it counts) to {@code to}.
     */
    static double largestGap(String pingOutput, double from, double to) {
        Pattern p = Pattern.compile("^\\[(\\d+\\.\\d+)] \\d+ bytes from", Pattern.MULTILINE);
        Matcher m = p.matcher(pingOutput);
        double last = -1;
        double gap = 0;
        int n = 0;
        while (m.find()) {
            double t = Double.parseDouble(m.group(1));
            if (t > to) {
                break;
            }
            if (t >= from && last >= 0) {
                gap = Math.max(gap, t - last);
                n++;
            }
            last = t;
        }
        assertTrue(n > 10, "enough answered pings to judge: " + n + "\n" + pingOutput);
        return gap;
    }
}
