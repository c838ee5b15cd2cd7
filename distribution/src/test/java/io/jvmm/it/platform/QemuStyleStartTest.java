package io.jvmm.it.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jvmm.it.support.JvmmProcess;
import io.jvmm.it.support.QmpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The "done when": a QEMU-style start greets on its socket and answers QMP; signals exit 0. */
class QemuStyleStartTest {
    @TempDir
    Path dir;

    private JvmmProcess startNone(Path sock, String... extra) {
        List<String> args = new ArrayList<>(List.of("-machine", "none", "-nodefaults", "-display", "none",
                "-qmp", JvmmProcess.qmpArg(sock)));
        args.addAll(List.of(extra));
        return JvmmProcess.builder().args(args).start();
    }

    @Test
    void greetsAnswersCommandsAndExitsZeroOnSigterm() throws Exception {
        Path sock = dir.resolve("qmp.sock");
        try (JvmmProcess vm = startNone(sock); QmpClient qmp = vm.qmp(sock)) {
            JsonNode version = qmp.greeting().get("QMP").get("version");
            assertEquals(7, version.get("qemu").get("major").asInt());
            assertTrue(version.get("package").asText().startsWith("jvmm "), qmp.greeting().toString());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(sock)));

            JsonNode early = qmp.execute("query-status");
            assertEquals("CommandNotFound", early.get("error").get("class").asText(), early.toString());
            qmp.negotiate();
            assertEquals("running", qmp.execute("query-status").get("return").get("status").asText());
            JsonNode names = qmp.execute("query-commands").get("return");
            List<String> commands = new ArrayList<>();
            names.forEach(n -> commands.add(n.get("name").asText()));
            assertTrue(commands.containsAll(List.of("qmp_capabilities", "query-version", "query-status",
                    "query-commands", "stop", "cont", "quit")), commands.toString());
            assertEquals("jvmm", qmp.execute("query-version").get("return").get("package").asText().split(" ")[0]);

            assertTrue(qmp.execute("stop").has("return"));
            assertTrue(qmp.awaitEvent("STOP", Duration.ofSeconds(5)).get("timestamp").has("microseconds"));
            assertEquals("paused", qmp.execute("query-status").get("return").get("status").asText());
            assertTrue(qmp.execute("cont").has("return"));
            qmp.awaitEvent("RESUME", Duration.ofSeconds(5));
            assertEquals(true, qmp.execute("query-status").get("return").get("running").asBoolean());

            assertEquals(0, vm.stop(), vm.describe());
            assertFalse(Files.exists(sock), "socket removed on SIGTERM");
            JsonNode shutdown = qmp.awaitEvent("SHUTDOWN", Duration.ofSeconds(5));
            assertEquals("host-signal", shutdown.get("data").get("reason").asText());
        }
    }

    @Test
    void sigintAlsoExitsZero() {
        Path sock = dir.resolve("int.sock");
        try (JvmmProcess vm = startNone(sock)) {
            vm.qmp(sock); // up and greeting; the client is closed with the process
            vm.signal("INT");
            assertEquals(0, vm.waitFor(Duration.ofSeconds(10)), vm.describe());
            assertFalse(Files.exists(sock));
        }
    }

    @Test
    void quitRepliesThenShutsDown() {
        Path sock = dir.resolve("quit.sock");
        try (JvmmProcess vm = startNone(sock, "-S", "-name", "quitter"); QmpClient qmp = vm.qmp(sock)) {
            qmp.negotiate();
            assertEquals("prelaunch", qmp.execute("query-status").get("return").get("status").asText());
            assertTrue(qmp.execute("quit").has("return"));
            JsonNode shutdown = qmp.awaitEvent("SHUTDOWN", Duration.ofSeconds(5));
            assertEquals("host-qmp-quit", shutdown.get("data").get("reason").asText());
            assertEquals(false, shutdown.get("data").get("guest").asBoolean());
            assertEquals(0, vm.waitFor(Duration.ofSeconds(10)), vm.describe());
            assertFalse(Files.exists(sock));
        }
    }

    @Test
    void twoClientsBothGetEvents() {
        Path sock = dir.resolve("two.sock");
        try (JvmmProcess vm = startNone(sock); QmpClient a = vm.qmp(sock); QmpClient b = vm.qmp(sock)) {
            a.negotiate();
            b.negotiate();
            a.execute("stop");
            a.awaitEvent("STOP", Duration.ofSeconds(5));
            b.awaitEvent("STOP", Duration.ofSeconds(5));
            assertEquals("paused", b.execute("query-status").get("return").get("status").asText());
        }
    }

    @Test
    void chardevAndMonSpellingWorksToo() {
        Path sock = dir.resolve("mon.sock");
        try (JvmmProcess vm = JvmmProcess.start("-machine", "none", "-chardev",
                "socket,id=mon0,path=" + sock + ",server=on,wait=off", "-mon", "chardev=mon0,mode=control");
                QmpClient qmp = vm.qmp(sock)) {
            qmp.negotiate();
            assertEquals("running", qmp.execute("query-status").get("return").get("status").asText());
        }
    }
}
