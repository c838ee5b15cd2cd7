package io.jvmm.it.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.jvmm.it.support.JvmmProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The generated docs are committed so they can be read on the web; they must match what this build
 * generates from the command registry and the PropertySpecs of the plugins it ships. When a command
 * or property changes, regenerate them: {@code JVMM_UPDATE_DOCS=1 ./test -pl distribution} or
 * {@code ./jvmm qmp-reference > docs/qmp-reference.md; ./jvmm schema > docs/schema/jvmm-vm.schema.json}.
 */
class DocsUpToDateTest {
    private static final Path REPO = Path.of(System.getProperty("jvmm.repo", "..")).toAbsolutePath().normalize();

    @Test
    void qmpReferenceIsCurrent() throws IOException {
        check("qmp-reference", REPO.resolve("docs/qmp-reference.md"));
    }

    @Test
    void jsonSchemaIsCurrent() throws IOException {
        check("schema", REPO.resolve("docs/schema/jvmm-vm.schema.json"));
    }

    private static void check(String command, Path committed) throws IOException {
        JvmmProcess.Result r = JvmmProcess.run(Duration.ofSeconds(30), command);
        assertEquals(0, r.exitStatus(), r.stderr());
        if ("1".equals(System.getenv("JVMM_UPDATE_DOCS"))) {
            Files.createDirectories(committed.getParent());
            Files.writeString(committed, r.stdout());
            return;
        }
        String current = Files.exists(committed) ? Files.readString(committed) : "";
        if (!current.equals(r.stdout())) {
            fail(REPO.relativize(committed) + " is stale (the commands or properties changed). Regenerate with"
                    + " JVMM_UPDATE_DOCS=1 mvn -pl distribution test -Dtest=DocsUpToDateTest, or ./jvmm " + command
                    + " > " + REPO.relativize(committed) + ", and commit it.");
        }
    }
}
