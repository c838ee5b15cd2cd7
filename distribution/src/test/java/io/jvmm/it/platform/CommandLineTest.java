package io.jvmm.it.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.it.support.JvmmProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a user sees from bin/jvmm for help, plugin listing, and bad input. */
class CommandLineTest {
    private static final Duration T = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void helpListsSubcommands() {
        JvmmProcess.Result r = JvmmProcess.run(T, "--help");
        assertEquals(0, r.exitStatus(), r.stderr());
        for (String word : new String[] {"run FILE.yaml", "validate FILE.yaml", "plugins", "-qmp unix:PATH"}) {
            assertTrue(r.stdout().contains(word), word + " in\n" + r.stdout());
        }
    }

    @Test
    void pluginsShowsTheBuiltInParts() {
        JvmmProcess.Result r = JvmmProcess.run(T, "plugins");
        assertEquals(0, r.exitStatus(), r.stderr());
        assertTrue(r.stdout().contains("builtin "), r.stdout());
        assertTrue(r.stdout().contains("machine types: none"), r.stdout());
        assertTrue(r.stdout().matches("(?s).*QMP commands: .*qmp_capabilities.*"), r.stdout());
    }

    @Test
    void unknownOptionIsAnErrorNotIgnored() {
        JvmmProcess.Result r = JvmmProcess.run(T, "-machine", "none", "-vga", "std");
        assertEquals(1, r.exitStatus());
        assertTrue(r.stderr().contains("unknown option '-vga'"), r.stderr());
    }

    @Test
    void unknownMachineListsKnownTypes() {
        JvmmProcess.Result r = JvmmProcess.run(T, "-machine", "pc-i440fx-9.9");
        assertEquals(1, r.exitStatus());
        assertTrue(r.stderr().contains("machine.type: unknown machine type 'pc-i440fx-9.9'"), r.stderr());
        assertTrue(r.stderr().contains("known machine types: none"), r.stderr());
    }

    @Test
    void badYamlNamesPathAndLine() throws Exception {
        Path yaml = dir.resolve("bad.yaml");
        Files.writeString(yaml, """
                machine: none
                devices:
                  - {type: virtio-net-pci, netdev: net9}
                """);
        JvmmProcess.Result r = JvmmProcess.run(T, "validate", yaml.toString());
        assertEquals(1, r.exitStatus());
        assertTrue(r.stderr().contains("devices[0].netdev: no netdev 'net9' (line 3)"), r.stderr());
    }

    @Test
    void dashDLogsAtDebugLevel() throws Exception {
        Path sock = dir.resolve("debug.sock");
        try (JvmmProcess vm = JvmmProcess.start("-d", "-machine", "none", "-qmp", JvmmProcess.qmpArg(sock))) {
            vm.qmp(sock).negotiate().execute("quit");
            assertEquals(0, vm.waitFor(T), vm.describe());
            // the start-up split is logged at debug level once QMP listens
            assertTrue(vm.stderr().contains("[DEBUG]") && vm.stderr().contains("start-up: JVM to main"), vm.stderr());
        }
    }

    @Test
    void socketInUseIsAnError() throws Exception {
        Path sock = dir.resolve("busy.sock");
        try (JvmmProcess first = JvmmProcess.start("-machine", "none", "-qmp", JvmmProcess.qmpArg(sock))) {
            first.qmp(sock);
            JvmmProcess.Result r = JvmmProcess.run(T, "-machine", "none", "-qmp", JvmmProcess.qmpArg(sock));
            assertEquals(1, r.exitStatus());
            assertTrue(r.stderr().contains("in use by another process"), r.stderr());
        }
    }
}
