package io.jvmm.it.migration;

import static io.jvmm.it.migration.MigrationRig.ok;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Migration without descriptor handover (local off): RAM copied over tcp and unix, or skipped with
 * shared RAM and x-ignore-shared; and a target fed a truncated or corrupted stream.
 */
@Timeout(240)
class OrdinaryMigrationTest {
    /** Guest-physical address of the pattern checked across the migration (above the NIC's rings). */
    private static final long PATTERN_AT = 0x0A00_0000L;

    @BeforeAll
    static void requirements() {
        MigrationRig.requirements();
    }

    private static byte[] pattern() {
        byte[] p = new byte[64 << 10];
        new Random(42).nextBytes(p);
        return p;
    }

    /**
     * The old way (QEMU's usual migration): the target opens tap0 itself. Guest RAM is private on
     * both sides and copied; the guest (through qtest) follows the VM to the target.
     */
    private static void migrateCopyingRam(String prefix, boolean tcp) throws Exception {
        try (MigrationRig rig = new MigrationRig(prefix)) {
            rig.startSource(MigrationRig.jvmm(), "-netdev", MigrationRig.SEED_TAP, "-device", MigrationRig.SEED_NIC);
            rig.guestUp();
            rig.assertGuestAnswersPing("before the migration");
            byte[] pattern = pattern();
            rig.startTarget(MigrationRig.jvmm(), "-netdev", MigrationRig.SEED_TAP, "-device", MigrationRig.SEED_NIC);
            MigrationRig.setUp(rig.sourceQmp, false, false);
            MigrationRig.setUp(rig.targetQmp, false, false);
            String uri = tcp ? "tcp:127.0.0.1:" + ThreadLocalRandom.current().nextInt(20000, 60000)
                    : "unix:" + rig.sock("migration.sock");
            ok(rig.targetQmp.execute("migrate-incoming", Map.of("uri", uri)));
            rig.guest.hold(); // from here the test thread is the guest's only user of qtest
            rig.source.qtest().b64write(PATTERN_AT, pattern);
            ok(rig.sourceQmp.execute("migrate", Map.of("uri", uri)));
            JsonNode info = MigrationRig.awaitFinal(rig.sourceQmp, Duration.ofSeconds(120));
            assertEquals("completed", info.path("status").asText(), info.toString());
            JsonNode ram = info.path("ram");
            assertEquals(256L << 20, ram.path("total").asLong());
            assertEquals(0, ram.path("remaining").asLong());
            assertTrue(ram.path("normal").asLong() > 16, "pages with data were copied: " + ram);
            assertTrue(ram.path("duplicate").asLong() > 30_000, "zero pages went as flags: " + ram);
            assertEquals("copy", ram.path("x-mode").asText());
            assertEquals("postmigrate", MigrationRig.runState(rig.sourceQmp));
            MigrationRig.awaitFinal(rig.targetQmp, Duration.ofSeconds(30));
            assertEquals("running", MigrationRig.runState(rig.targetQmp), "no -S: the target runs by itself");

            // read through the target's own qtest connection before the guest moves onto it (one
            // connection serves one thread at a time)
            assertArrayEquals(pattern, rig.target.qtest().b64read(PATTERN_AT, pattern.length),
                    "guest RAM arrived intact");
            rig.guest.moveTo(rig.source, rig.target);
            ok(rig.sourceQmp.execute("quit"));
            assertTrue(rig.source.process().waitFor(20, TimeUnit.SECONDS));
            rig.assertGuestAnswersPing("from the target after the source quit");
            assertEquals(0L, MigrationRig.descriptors(rig.target.process().pid()).get("memfd"));
        }
    }

    @Test
    void overTcpWithRamCopied() throws Exception {
        migrateCopyingRam("migtcp", true);
    }

    @Test
    void overUnixWithRamCopied() throws Exception {
        migrateCopyingRam("migunix", false);
    }

    @Test
    void sharedRamWithIgnoreSharedCopiesNothing() throws Exception {
        try (MigrationRig rig = new MigrationRig("migshr")) {
            rig.startSource(MigrationRig.jvmm().sharedMemory(true), "-netdev", MigrationRig.SEED_TAP,
                    "-device", MigrationRig.SEED_NIC);
            rig.guestUp();
            rig.assertGuestAnswersPing("before the migration");
            rig.startTarget(MigrationRig.jvmm(),
                    "-object", "memory-backend-file,id=ram0,size=256M,mem-path=" + rig.sourceRamFile() + ",share=on",
                    "-machine", "memory-backend=ram0", "-netdev", MigrationRig.SEED_TAP, "-device", MigrationRig.SEED_NIC);
            MigrationRig.setUp(rig.sourceQmp, false, true);
            MigrationRig.setUp(rig.targetQmp, false, true);
            String uri = "unix:" + rig.sock("migration.sock");
            ok(rig.targetQmp.execute("migrate-incoming", Map.of("uri", uri)));
            ok(rig.sourceQmp.execute("migrate", Map.of("uri", uri)));
            JsonNode info = MigrationRig.awaitFinal(rig.sourceQmp, Duration.ofSeconds(60));
            assertEquals("completed", info.path("status").asText(), info.toString());
            assertEquals(0, info.path("ram").path("transferred").asLong(), info.toString());
            assertEquals("shared", info.path("ram").path("x-mode").asText());
            assertEquals(0, info.path("x-switchover").path("descriptors").asLong(), "nothing handed over");
            MigrationRig.awaitFinal(rig.targetQmp, Duration.ofSeconds(30));
            rig.guest.moveTo(rig.source, rig.target);
            ok(rig.sourceQmp.execute("quit"));
            assertTrue(rig.source.process().waitFor(20, TimeUnit.SECONDS));
            rig.assertGuestAnswersPing("from the target");
        }
    }

    /** A damaged stream reaches a real target: it fails and stays inmigrate; the source resumes. */
    private static void damagedStream(String prefix, boolean cut) throws Exception {
        try (MigrationRig rig = new MigrationRig(prefix)) {
            rig.startSource(MigrationRig.jvmm().sharedMemory(true), "-netdev", MigrationRig.SEED_TAP,
                    "-device", MigrationRig.SEED_NIC);
            rig.guestUp();
            rig.ns.addTap("tap1", true, "10.79.0.1/24");
            rig.startTarget(MigrationRig.jvmm(),
                    "-object", "memory-backend-file,id=ram0,size=256M,mem-path=" + rig.sourceRamFile() + ",share=on",
                    "-machine", "memory-backend=ram0",
                    "-netdev", MigrationRig.SEED_TAP.replace("ifname=tap0", "ifname=tap1"), "-device", MigrationRig.SEED_NIC);
            MigrationRig.setUp(rig.sourceQmp, false, true);
            MigrationRig.setUp(rig.targetQmp, false, true);
            Path targetSock = rig.sock("migration.sock");
            Path proxySock = rig.sock("proxy.sock");
            ok(rig.targetQmp.execute("migrate-incoming", Map.of("uri", "unix:" + targetSock)));
            try (StreamProxy proxy = cut ? StreamProxy.cutting(proxySock, targetSock, 60)
                    : StreamProxy.flipping(proxySock, targetSock, 40)) {
                ok(rig.sourceQmp.execute("migrate", Map.of("uri", "unix:" + proxySock)));
                JsonNode source = MigrationRig.awaitFinal(rig.sourceQmp, Duration.ofSeconds(60));
                assertEquals("failed", source.path("status").asText(), source.toString());
                JsonNode target = MigrationRig.awaitFinal(rig.targetQmp, Duration.ofSeconds(60));
                assertEquals("failed", target.path("status").asText(), target.toString());
                String why = target.path("error-desc").asText();
                assertTrue(cut ? why.contains("ended inside") || why.contains("closed the connection")
                        : why.contains("CRC32C mismatch"), target.toString());
                if (!cut) {
                    assertTrue(source.path("error-desc").asText().contains("CRC32C mismatch"),
                            "the target's reason reaches the source: " + source);
                }
                assertEquals("inmigrate", MigrationRig.runState(rig.targetQmp), "the target never runs a broken guest");
            }
            rig.assertSourceRecovered(cut ? "truncated stream" : "corrupted stream");
        }
    }

    @Test
    void truncatedStream() throws Exception {
        damagedStream("migcut", true);
    }

    @Test
    void corruptedStream() throws Exception {
        damagedStream("migbad", false);
    }

}
