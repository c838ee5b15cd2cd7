package io.jvmm.it.migration;

import static io.jvmm.it.migration.MigrationRig.ok;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Beyond the seed: guest RAM in a memfd on both sides; with local=on the source hands the memfd
 * itself over together with the tap queues, so no RAM is copied and no shared file is needed.
 */
@Timeout(240)
class LocalMigrationMemfdTest {
    private static final String MEMFD = "memory-backend-memfd,id=ram0,size=256M";

    @BeforeAll
    static void requirements() {
        MigrationRig.requirements();
    }

    @Test
    void memfdRamAndTapQueuesAreHandedOver() throws Exception {
        try (MigrationRig rig = new MigrationRig("migmfd")) {
            rig.startSource(MigrationRig.jvmm(), "-object", MEMFD, "-machine", "memory-backend=ram0",
                    "-netdev", MigrationRig.SEED_TAP, "-device", MigrationRig.SEED_NIC);
            rig.guestUp();
            rig.assertGuestAnswersPing("before the migration");
            rig.startTarget(MigrationRig.jvmm(), "-object", MEMFD, "-machine", "memory-backend=ram0",
                    "-netdev", MigrationRig.SEED_TAP_INCOMING, "-device", MigrationRig.SEED_NIC);
            MigrationRig.setUp(rig.sourceQmp, true, false);
            MigrationRig.setUp(rig.targetQmp, true, false);
            byte[] pattern = new byte[32 << 10];
            new Random(7).nextBytes(pattern);
            String uri = "unix:" + rig.sock("migration.sock");
            ok(rig.targetQmp.execute("migrate-incoming", Map.of("uri", uri)));
            rig.guest.hold();
            rig.source.qtest().b64write(0x0A00_0000L, pattern);
            ok(rig.sourceQmp.execute("migrate", Map.of("uri", uri)));
            JsonNode info = MigrationRig.awaitFinal(rig.sourceQmp, Duration.ofSeconds(60));
            assertEquals("completed", info.path("status").asText(), info.toString());
            assertEquals("fd", info.path("ram").path("x-mode").asText(), info.toString());
            assertEquals(0, info.path("ram").path("transferred").asLong(), "no RAM page was copied");
            assertEquals(5, info.path("x-switchover").path("descriptors").asLong(), "4 tap queues and the memfd");
            MigrationRig.awaitFinal(rig.targetQmp, Duration.ofSeconds(30));
            assertArrayEquals(pattern, rig.target.qtest().b64read(0x0A00_0000L, pattern.length),
                    "the target sees the guest's RAM");
            rig.guest.moveTo(rig.source, rig.target);
            assertEquals(4L, MigrationRig.descriptors(rig.target.process().pid()).get("tun"));
            ok(rig.sourceQmp.execute("quit"));
            assertTrue(rig.source.process().waitFor(20, TimeUnit.SECONDS));
            assertEquals(4, rig.ns.tapQueues("tap0"));
            rig.assertGuestAnswersPing("from the target, on the handed-over RAM and queues");
        }
    }
}
