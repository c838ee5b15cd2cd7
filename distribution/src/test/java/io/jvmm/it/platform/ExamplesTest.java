package io.jvmm.it.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.it.support.JvmmProcess;
import io.jvmm.it.support.QmpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipped examples: the minimal one validates and runs; the seed's validate or name what is missing. */
class ExamplesTest {
    private static final Duration T = Duration.ofSeconds(30);
    private static final Pattern MISSING = Pattern.compile("plugin '([a-z0-9-]+)', which is not installed");

    @TempDir
    Path dir;

    @Test
    void noneExampleValidatesAndRuns() throws Exception {
        Path example = JvmmProcess.layout().resolve("examples/none.yaml");
        JvmmProcess.Result v = JvmmProcess.run(T, "validate", example.toString());
        assertEquals(0, v.exitStatus(), v.stderr());
        assertTrue(v.stdout().contains("ok"), v.stdout());

        // same file with a private socket path, so parallel runs do not collide
        Path sock = dir.resolve("none.sock");
        Path copy = dir.resolve("none.yaml");
        Files.writeString(copy, Files.readString(example).replace("unix:/tmp/jvmm-none.sock", "unix:" + sock));
        try (JvmmProcess vm = JvmmProcess.startYaml(copy); QmpClient qmp = vm.qmp(sock)) {
            qmp.negotiate();
            assertEquals("running", qmp.execute("query-status").get("return").get("status").asText());
            assertEquals(0, vm.stop(), vm.describe());
        }
    }

    @Test
    void seedExamplesValidateOrNameTheMissingPlugins() {
        for (String name : List.of("seed-source.yaml", "seed-target.yaml")) {
            Path example = JvmmProcess.layout().resolve("examples/" + name);
            JvmmProcess.Result r = JvmmProcess.run(T, "validate", example.toString());
            if (r.exitStatus() == 0) {
                continue;
            }
            // every line must be a "which is not installed" error: nothing else may be wrong with them
            List<String> missing = new ArrayList<>();
            for (String line : r.stderr().strip().split("\n")) {
                if (line.startsWith("[")) {
                    continue; // log lines
                }
                Matcher m = MISSING.matcher(line);
                assertTrue(m.find(), name + ": unexpected error: " + line);
                missing.add(m.group(1));
            }
            assertTrue(!missing.isEmpty(), r.stderr());
        }
    }
}
