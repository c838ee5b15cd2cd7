package io.jvmm.it.migration;

import static io.jvmm.it.migration.MigrationRig.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jvmm.testkit.VmLauncher;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every way a local migration can go wrong: after each, the source runs with its four tap queues,
 * the guest answers ping, and the target holds none of the queues.
 */
@Timeout(180)
class LocalMigrationFailureTest {

    @BeforeAll
    static void requirements() {
        MigrationRig.requirements();
    }

    private static MigrationRig sourceUp(String prefix) throws Exception {
        MigrationRig rig = new MigrationRig(prefix);
        try {
            rig.startSource(MigrationRig.jvmm().sharedMemory(true), "-netdev", MigrationRig.SEED_TAP,
                    "-device", MigrationRig.SEED_NIC);
            rig.guestUp();
            rig.assertGuestAnswersPing("before the migration");
            return rig;
        } catch (Exception | Error e) {
            rig.close();
            throw e;
        }
    }

    private static void target(MigrationRig rig, VmLauncher l, String tap, String nic) throws Exception {
        rig.startTarget(l, "-object", "memory-backend-file,id=ram0,size=256M,mem-path=" + rig.sourceRamFile() + ",share=on",
                "-machine", "memory-backend=ram0", "-netdev", tap, "-device", nic);
    }

    /** Runs the migration and returns the source's final query-migrate. */
    private static JsonNode migrate(MigrationRig rig, boolean sourceLocal, boolean targetLocal) throws Exception {
        MigrationRig.setUp(rig.sourceQmp, sourceLocal, true);
        MigrationRig.setUp(rig.targetQmp, targetLocal, true);
        String uri = "unix:" + rig.sock("migration.sock");
        ok(rig.targetQmp.execute("migrate-incoming", Map.of("uri", uri)));
        ok(rig.sourceQmp.execute("migrate", Map.of("uri", uri)));
        return MigrationRig.awaitFinal(rig.sourceQmp, Duration.ofSeconds(60));
    }

    private static void assertFailed(JsonNode info, String reason) {
        assertEquals("failed", info.path("status").asText(), info.toString());
        assertTrue(info.path("error-desc").asText().contains(reason), info.toString());
    }

    @Test
    void localOverTcpIsRefusedBeforeAnythingHappens() throws Exception {
        try (MigrationRig rig = sourceUp("migtcp")) {
            MigrationRig.setUp(rig.sourceQmp, true, true);
            JsonNode r = rig.sourceQmp.execute("migrate", Map.of("uri", "tcp:127.0.0.1:4444"));
            assertTrue(r.path("error").path("desc").asText().contains("local migration needs a transport that carries"
                    + " descriptors (unix:PATH)"), r.toString());
            assertEquals("{}", ok(rig.sourceQmp.execute("query-migrate")).toString(), "no migration started");
            rig.assertSourceRecovered("local over tcp");
        }
    }

    @Test
    void targetWithoutIncomingFdsIsRejectedWhileTheGuestRuns() throws Exception {
        try (MigrationRig rig = sourceUp("mignofd")) {
            // the target opens a tap of its own and waits for nothing. (Not tap0: opening the source's
            // tap from a second process resets its vnet header length, which breaks the source's
            // receive path whatever the migration does; that is why local migration exists.)
            rig.ns.addTap("tap1", true, "10.79.0.1/24");
            target(rig, MigrationRig.jvmm(), MigrationRig.SEED_TAP.replace("ifname=tap0", "ifname=tap1"),
                    MigrationRig.SEED_NIC);
            assertFailed(migrate(rig, true, true), "start the target's tap with incoming-fds=on");
            assertEquals("running", MigrationRig.runState(rig.sourceQmp));
            ok(rig.targetQmp.execute("quit"));
            rig.target.process().waitFor();
            rig.assertSourceRecovered("target without incoming-fds");
        }
    }

    @Test
    void incomingFdsWhileTheSourceDidNotEnableLocalIsRejected() throws Exception {
        try (MigrationRig rig = sourceUp("mignoloc")) {
            target(rig, MigrationRig.jvmm(), MigrationRig.SEED_TAP_INCOMING, MigrationRig.SEED_NIC);
            assertFailed(migrate(rig, false, false), "the source did not enable local migration");
            rig.assertTargetHoldsNothing("source without local");
            rig.assertSourceRecovered("source without local");
        }
    }

    @Test
    void queueCountMismatchIsRejected() throws Exception {
        try (MigrationRig rig = sourceUp("migq")) {
            target(rig, MigrationRig.jvmm(), MigrationRig.SEED_TAP_INCOMING.replace("queues=4", "queues=2"),
                    MigrationRig.SEED_NIC);
            assertFailed(migrate(rig, true, true), "has 4 queues on the source but 2 on the target");
            rig.assertTargetHoldsNothing("queue mismatch");
            rig.assertSourceRecovered("queue mismatch");
        }
    }

    /**
     * Starts a local migration to a target that stops at an x-pause-at point, and waits until it is
     * there (the source then waits for it: in setup, or stopped for the switchover).
     */
    private static void migrateUntilTheTargetPausesAt(MigrationRig rig, String point) throws Exception {
        target(rig, MigrationRig.jvmm().env("JDK_JAVA_OPTIONS", "-Djvmm.migration.x-pause-at=" + point),
                MigrationRig.SEED_TAP_INCOMING, MigrationRig.SEED_NIC);
        MigrationRig.setUp(rig.sourceQmp, true, true);
        MigrationRig.setUp(rig.targetQmp, true, true);
        String uri = "unix:" + rig.sock("migration.sock");
        ok(rig.targetQmp.execute("migrate-incoming", Map.of("uri", uri)));
        ok(rig.sourceQmp.execute("migrate", Map.of("uri", uri)));
        rig.awaitTargetLog("x-pause-at " + point, Duration.ofSeconds(30));
    }

    /** The target is killed at an x-pause-at point; the source must come back. */
    private static void killTargetAt(String point, String prefix) throws Exception {
        try (MigrationRig rig = sourceUp(prefix)) {
            migrateUntilTheTargetPausesAt(rig, point);
            rig.killTarget();
            JsonNode info = MigrationRig.awaitFinal(rig.sourceQmp, Duration.ofSeconds(30));
            assertFailed(info, "the target closed the connection");
            rig.assertSourceRecovered("target killed at " + point);
        }
    }

    @Test
    void targetKilledDuringSetup() throws Exception {
        killTargetAt("hello", "migkh");
    }

    @Test
    void targetKilledDuringDescriptorTransfer() throws Exception {
        killTargetAt("descriptors", "migkd");
    }

    @Test
    void targetKilledDuringStateLoad() throws Exception {
        killTargetAt("load", "migkl");
    }

    @Test
    void migrateCancelDuringTheSwitchoverResumesTheSource() throws Exception {
        try (MigrationRig rig = sourceUp("migcan")) {
            // the target stops after the tap's descriptors arrived; cancel while the source waits
            migrateUntilTheTargetPausesAt(rig, "load");
            assertEquals("finish-migrate", MigrationRig.runState(rig.sourceQmp), "stopped for the switchover");
            ok(rig.sourceQmp.execute("migrate_cancel"));
            JsonNode info = MigrationRig.awaitFinal(rig.sourceQmp, Duration.ofSeconds(30));
            assertEquals("cancelled", info.path("status").asText(), info.toString());
            rig.assertSourceRecovered("migrate_cancel");
            ok(rig.sourceQmp.execute("migrate_cancel"));
        }
    }
}
