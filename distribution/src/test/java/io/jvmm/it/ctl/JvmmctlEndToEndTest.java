package io.jvmm.it.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jvmm.it.support.JvmmProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The installed {@code bin/jvmmctl} against real jvmm processes: the launcher script, the jar's class path in
 * lib/, and jvmm's QMP as an operator drives it (its own tests in jvmm-ctl/ cover QEMU 7.2 and every error path).
 */
class JvmmctlEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    record Ctl(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private static Ctl jvmmctl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(JvmmProcess.layout().resolve("bin/jvmmctl").toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile("jvmmctl", ".out");
        Path err = Files.createTempFile("jvmmctl", ".err");
        try {
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("jvmmctl " + String.join(" ", args) + " did not end within 60 s");
            }
            return new Ctl(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static Ctl ok(String... args) throws IOException, InterruptedException {
        Ctl run = jvmmctl(args);
        assertEquals(0, run.exit(), run::toString);
        return run;
    }

    /** Waits for the QMP socket without connecting: a monitor may serve one client, and jvmmctl is that client. */
    private static void awaitSocket(JvmmProcess vm, Path socket) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!Files.exists(socket)) {
            assertTrue(vm.isAlive(), () -> "jvmm exited before creating " + socket + ":\n" + vm.describe());
            assertTrue(System.nanoTime() < deadline, () -> "no " + socket + " after 60 s:\n" + vm.describe());
            Thread.sleep(20);
        }
    }

    @Test
    void localMigrationBetweenTwoJvmmProcessesDrivenByJvmmctl() throws Exception {
        Path sourceQmp = dir.resolve("source.qmp");
        Path targetQmp = dir.resolve("target.qmp");
        String uri = "unix:" + dir.resolve("migration.sock");
        try (JvmmProcess source = JvmmProcess.start("-machine", "none", "-nodefaults", "-display", "none",
                "-qmp", JvmmProcess.qmpArg(sourceQmp));
             JvmmProcess target = JvmmProcess.start("-machine", "none", "-nodefaults", "-display", "none",
                     "-qmp", JvmmProcess.qmpArg(targetQmp), "-incoming", "defer")) {
            awaitSocket(source, sourceQmp);
            awaitSocket(target, targetQmp);
            assertEquals("running\n", ok("-s", sourceQmp.toString(), "status").out());
            assertEquals("paused (inmigrate)\n", ok("-s", targetQmp.toString(), "status").out());
            assertEquals("waiting for an incoming migration on " + uri + "\n",
                    ok("-s", targetQmp.toString(), "migrate-incoming", "--local", uri).out());

            Ctl migrate = ok("-s", sourceQmp.toString(), "--json", "migrate", "--local", uri);
            assertEquals(1, migrate.out().lines().count(), migrate::toString);
            JsonNode result = JSON.readTree(migrate.out());
            assertEquals("completed", result.path("status").asText(), migrate::toString);
            assertTrue(result.path("total-time").isNumber(), migrate::toString);

            assertEquals("paused (postmigrate)\n", ok("-s", sourceQmp.toString(), "status").out());
            assertEquals("running\n", ok("-s", targetQmp.toString(), "status").out());
            assertEquals("quit: the VMM is shutting down\n", ok("-s", sourceQmp.toString(), "quit").out());
            assertEquals(0, source.waitFor(Duration.ofSeconds(30)), source::describe);
            ok("-s", targetQmp.toString(), "quit");
            assertEquals(0, target.waitFor(Duration.ofSeconds(30)), target::describe);
        }
    }

    @Test
    void launcherPassesOnTheDocumentedExitCodes() throws Exception {
        Ctl missing = jvmmctl("-s", dir.resolve("nothing.qmp").toString(), "status");
        assertEquals(3, missing.exit(), missing::toString);
        assertTrue(missing.err().contains("no QMP socket at"), missing::toString);
        assertEquals("", missing.out(), "JVM or jvmmctl noise on stdout: " + missing);

        Ctl usage = jvmmctl("--json", "status");
        assertEquals(2, usage.exit(), usage::toString);
        assertEquals("jvmmctl.USAGE", JSON.readTree(usage.out()).path("error").path("class").asText(), usage::toString);
    }
}
