package io.jvmm.core.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The jvmm command in-process: exit statuses and what goes to stdout and stderr. */
class LauncherTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return new Launcher(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true,
                StandardCharsets.UTF_8), Optional.empty()).run(args);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void validateReportsOkOnStdout() throws Exception {
        Path f = dir.resolve("vm.yaml");
        Files.writeString(f, "machine: {type: none, memory: 64M}\nqmp: [unix:/tmp/x.sock]\n");
        assertEquals(0, run("validate", f.toString()));
        assertEquals(f + ": ok (machine none, 0 netdevs, 0 devices)\n", out());
    }

    @Test
    void validatePrefixesEveryErrorLineWithTheFile() throws Exception {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(f, "machine: q35\nserial: vga\n");
        assertEquals(1, run("validate", f.toString()));
        String[] lines = err().strip().split("\n");
        assertEquals(2, lines.length, err());
        assertTrue(lines[0].startsWith(f + ": machine.type: unknown machine type 'q35': it comes from plugin"
                + " 'machine-q35', which is not installed (no plugins folder configured)"), lines[0]);
        assertEquals(f + ": serial: 'vga' is not a serial backend; use stdio, null, file:PATH or unix:PATH (line 2)", lines[1]);
    }

    @Test
    void missingFileAndUsageErrors() {
        assertEquals(1, run("run", dir.resolve("nope.yaml").toString()));
        assertEquals("jvmm: " + dir.resolve("nope.yaml") + ": no such file\n", err());
        err.reset();
        assertEquals(2, run("validate"));
        assertEquals("jvmm: usage: jvmm validate FILE.yaml\n", err());
        err.reset();
        assertEquals(2, run("frobnicate"));
        assertEquals("jvmm: unknown command 'frobnicate'; see ./jvmm --help\n", err());
        err.reset();
        assertEquals(2, run());
        assertTrue(err().startsWith("usage: jvmm"));
    }

    @Test
    void badQemuOptionsExitOneWithTheReason() {
        assertEquals(1, run("-machine", "none", "-netdev", "user,id=n0", "-qmp", "unix:" + dir.resolve("s")));
        assertEquals("jvmm: netdevs[0].type: unknown netdev type 'user'; known netdev types: (none)"
                + " (-netdev user,id=n0)\n", err());
    }

    @Test
    void pluginsListingAndGeneratedDocsWithoutPlugins() {
        assertEquals(0, run("plugins"));
        assertTrue(out().contains("builtin ") && out().contains("machine types: none"), out());
        assertTrue(out().contains("migration transports: tcp"), out());
        out.reset();
        assertEquals(0, run("qmp-reference"));
        assertTrue(out().contains("## query-status"), out());
        out.reset();
        assertEquals(0, run("schema"));
        assertTrue(out().contains("\"$schema\" : \"https://json-schema.org/draft/2020-12/schema\""), out());
    }
}
