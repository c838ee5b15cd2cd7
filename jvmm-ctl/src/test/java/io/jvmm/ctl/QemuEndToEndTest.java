package io.jvmm.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** jvmmctl against QEMU 7.2: the same QMP protocol jvmm speaks, from the reference implementation. */
class QemuEndToEndTest {
    private static final String NL = System.lineSeparator();

    @TempDir
    Path dir;

    @BeforeAll
    static void qemuInstalled() {
        Qemu.assumeInstalled();
    }

    private static CtlRun ok(String... args) {
        CtlRun run = CtlRun.of(args);
        assertEquals(ExitCode.OK, run.exitCode(), run::toString);
        return run;
    }

    private static JsonNode json(CtlRun run) throws Exception {
        assertEquals(1, run.out().lines().count(), "one JSON object per result: " + run);
        return Json.parse(run.out());
    }

    @Test
    void runStateCommandsAndRawQmp() throws Exception {
        Path qmp = dir.resolve("vm.qmp");
        try (Qemu _ = Qemu.start(List.of(qmp))) {
            String s = qmp.toString();
            assertEquals("running" + NL, ok("-s", s, "status").out());
            assertEquals("paused" + NL, ok("-s", s, "stop").out());
            JsonNode paused = json(ok("-s", s, "--json", "status"));
            assertEquals("paused", paused.path("status").asText());
            assertFalse(paused.path("running").asBoolean(true));
            assertEquals("running" + NL, ok("-s", s, "cont").out());

            assertEquals(7, json(ok("-s", s, "--json", "qmp", "query-version")).path("qemu").path("major").asInt());
            JsonNode named = json(ok("-s", s, "--json", "qmp", "{\"execute\":\"query-name\"}"));
            assertTrue(named.isObject(), named::toString);

            CtlRun unknown = CtlRun.of("-s", s, "qmp", "no-such-command");
            assertEquals(ExitCode.QMP_ERROR, unknown.exitCode(), unknown::toString);
            assertTrue(unknown.err().contains("CommandNotFound"), unknown::toString);
        }
    }

    @Test
    void eventsAreFollowedWhileAnotherClientActs() throws Exception {
        // QEMU serves one client per monitor, so the follower and the actor use two QMP sockets
        Path follow = dir.resolve("events.qmp");
        Path act = dir.resolve("control.qmp");
        try (Qemu _ = Qemu.start(List.of(follow, act))) {
            CompletableFuture<CtlRun> events = CompletableFuture.supplyAsync(
                    () -> CtlRun.of("-s", follow.toString(), "events", "--until", "RESUME"));
            // Nothing tells when the follower has connected, so stop and resume until it has seen a RESUME.
            for (int round = 0; round < 100 && !events.isDone(); round++) {
                ok("-s", act.toString(), "stop");
                ok("-s", act.toString(), "cont");
                Thread.sleep(50);
            }
            CtlRun run = events.get(5, TimeUnit.SECONDS);
            assertEquals(ExitCode.OK, run.exitCode(), run::toString);
            List<String> lines = run.out().lines().toList();
            assertTrue(lines.size() == 1 || lines.size() == 2, run::toString);
            assertTrue(lines.getLast().matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{6} RESUME"),
                    run::toString);
            if (lines.size() == 2) {
                assertTrue(lines.getFirst().endsWith(" STOP"), run::toString);
            }
        }
    }

    @Test
    void quitEndsTheVmmAndLaterCommandsFindNoSocket() throws Exception {
        Path qmp = dir.resolve("vm.qmp");
        try (Qemu qemu = Qemu.start(List.of(qmp))) {
            assertEquals("{}" + NL, ok("-s", qmp.toString(), "--json", "quit").out());
            assertTrue(qemu.exitsWithin(5000), "QEMU still runs after quit");
            CtlRun after = CtlRun.of("-s", qmp.toString(), "status");
            assertEquals(ExitCode.CONNECTION, after.exitCode(), after::toString);
        }
    }

    @Test
    void migrateToADeferredIncomingTarget() throws Exception {
        Path sourceQmp = dir.resolve("source.qmp");
        Path targetQmp = dir.resolve("target.qmp");
        String uri = "unix:" + dir.resolve("migration.sock");
        try (Qemu _ = Qemu.start(List.of(sourceQmp));
             Qemu _ = Qemu.start(List.of(targetQmp), "-incoming", "defer")) {
            assertEquals("inmigrate", json(ok("-s", targetQmp.toString(), "--json", "status"))
                    .path("status").asText());
            assertEquals("waiting for an incoming migration on " + uri + NL,
                    ok("-s", targetQmp.toString(), "migrate-incoming", uri).out());

            CtlRun migrate = ok("-s", sourceQmp.toString(), "migrate", "--interval", "20", uri);
            List<String> lines = migrate.out().lines().toList();
            assertTrue(lines.getFirst().startsWith("migration "), migrate::toString);
            assertTrue(lines.contains("status:       completed"), migrate::toString);
            assertTrue(lines.stream().anyMatch(l -> l.matches("total-time: +\\d+ ms")), migrate::toString);
            assertTrue(lines.stream().anyMatch(l -> l.matches("downtime: +\\d+ ms")), migrate::toString);
            assertTrue(lines.stream().anyMatch(l -> l.matches("setup-time: +\\d+ ms")), migrate::toString);

            assertEquals("paused (postmigrate)" + NL, ok("-s", sourceQmp.toString(), "status").out());
            assertEquals("running" + NL, ok("-s", targetQmp.toString(), "status").out());
        }
    }

    @Test
    void migrateWithJsonPrintsOnlyTheFinalQueryMigrate() throws Exception {
        Path sourceQmp = dir.resolve("source.qmp");
        Path targetQmp = dir.resolve("target.qmp");
        Path channel = dir.resolve("migration.sock");
        try (Qemu _ = Qemu.start(List.of(sourceQmp));
             Qemu _ = Qemu.start(List.of(targetQmp), "-incoming", "unix:" + channel)) {
            waitFor(channel);
            JsonNode result = json(ok("-s", sourceQmp.toString(), "--json", "migrate", "unix:" + channel));
            assertEquals("completed", result.path("status").asText(), result::toString);
            assertTrue(result.path("total-time").isIntegralNumber(), result::toString);
            assertEquals(32L << 20, result.path("ram").path("total").asLong(), result::toString);
        }
    }

    @Test
    void failedMigrationEndsWithItsReasonAndExitCodeFive() throws Exception {
        Path qmp = dir.resolve("vm.qmp");
        try (Qemu _ = Qemu.start(List.of(qmp))) {
            CtlRun run = CtlRun.of("-s", qmp.toString(), "migrate", "unix:" + dir.resolve("nobody.sock"));
            assertEquals(ExitCode.MIGRATION_FAILED, run.exitCode(), run::toString);
            assertTrue(run.out().contains("status:       failed"), run::toString);
            assertTrue(run.out().contains("error:        Failed to connect"), run::toString);
            assertEquals("running" + NL, ok("-s", qmp.toString(), "status").out());
        }
    }

    @Test
    void localMigrationIsRefusedClearlyByAQemuWithoutItAndTheVmKeepsRunning() throws Exception {
        Path qmp = dir.resolve("vm.qmp");
        try (Qemu _ = Qemu.start(List.of(qmp))) {
            CtlRun run = CtlRun.of("-s", qmp.toString(), "migrate", "--local", "unix:" + dir.resolve("m.sock"));
            assertEquals(ExitCode.QMP_ERROR, run.exitCode(), run::toString);
            assertTrue(run.err().contains("does not support local migration"), run::toString);
            assertTrue(run.err().contains("run without --local"), run::toString);
            assertEquals("running" + NL, ok("-s", qmp.toString(), "status").out());
        }
    }

    @Test
    void ctrlCDuringAMigrationCancelsItAndTheSourceKeepsRunning() throws Exception {
        Path sourceQmp = dir.resolve("source.qmp");
        Path targetQmp = dir.resolve("target.qmp");
        Path channel = dir.resolve("migration.sock");
        String signal = interruptSignal();
        try (Qemu _ = Qemu.start(List.of(sourceQmp));
             Qemu _ = Qemu.start(List.of(targetQmp), "-incoming", "unix:" + channel)) {
            // the migration stops before switchover and waits there, so it is still running when Ctrl-C comes
            ok("-s", sourceQmp.toString(), "qmp", "migrate-set-capabilities",
                    "{\"capabilities\":[{\"capability\":\"pause-before-switchover\",\"state\":true}]}");
            waitFor(channel);
            Process ctl = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                    "-s", sourceQmp.toString(), "migrate", "unix:" + channel).redirectErrorStream(true).start();
            BufferedReader output = new BufferedReader(new InputStreamReader(ctl.getInputStream(),
                    StandardCharsets.UTF_8));
            StringBuilder seen = new StringBuilder();
            String line;
            while ((line = output.readLine()) != null && !line.startsWith("migration pre-switchover")) {
                seen.append(line).append('\n');
            }
            assertTrue(line != null, "the migration never reached pre-switchover: " + seen);
            new ProcessBuilder("kill", "-" + signal, Long.toString(ctl.pid())).start().waitFor();
            output.lines().forEach(l -> seen.append(l).append('\n'));
            assertTrue(ctl.waitFor(20, TimeUnit.SECONDS), "jvmmctl did not end after Ctrl-C");
            // the shell's convention, 128 + the signal's number
            assertEquals(signal.equals("INT") ? ExitCode.INTERRUPTED.code() : 143, ctl.exitValue(), seen::toString);
            assertTrue(seen.toString().contains("migration cancelled; the source keeps running the VM"), seen::toString);

            JsonNode migration = json(ok("-s", sourceQmp.toString(), "--json", "qmp", "query-migrate"));
            assertTrue(Set.of("cancelled", "cancelling").contains(migration.path("status").asText()),
                    migration::toString);
            assertEquals("running" + NL, ok("-s", sourceQmp.toString(), "status").out());
        }
    }

    /**
     * The signal that stands for Ctrl-C here: SIGINT, unless this process ignores it (a background job of a
     * non-interactive shell, as CI may be), which its children inherit and the JVM then never handles. SIGTERM runs
     * the same shutdown hook, so the cancel path is tested either way.
     */
    private static String interruptSignal() throws IOException {
        String ignoredMask = Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(l -> l.startsWith("SigIgn:")).map(l -> l.substring(7).trim()).findFirst().orElse("0");
        boolean sigintIgnored = (Long.parseUnsignedLong(ignoredMask, 16) & (1L << (2 - 1))) != 0;
        return sigintIgnored ? "TERM" : "INT";
    }

    private static void waitFor(Path path) throws InterruptedException {
        for (int i = 0; i < 1000 && !Files.exists(path); i++) {
            Thread.sleep(5);
        }
        assertTrue(Files.exists(path), path + " never appeared");
    }
}
