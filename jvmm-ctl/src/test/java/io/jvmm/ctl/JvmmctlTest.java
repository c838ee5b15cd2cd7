package io.jvmm.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** What a user sees before any connection is made: help and command-line mistakes. */
class JvmmctlTest {

    @Test
    void helpListsEveryCommandAndTheExitCodes() {
        CtlRun run = CtlRun.of("--help");
        assertEquals(ExitCode.OK, run.exitCode());
        for (String command : new String[] {"status", "stop | cont", "quit", "migrate [--local]", "migrate-incoming",
                "events [--count N]", "qmp '{\"execute\":...}'"}) {
            assertTrue(run.out().contains(command), command + " missing from:\n" + run.out());
        }
        assertTrue(run.out().contains("5 migration failed or cancelled"), run.out());
    }

    @Test
    void usageErrorExitsTwoWithTheReasonAndWhereToLook() {
        CtlRun run = CtlRun.of("-s", "/nonexistent/vm.qmp", "reboot");
        assertEquals(ExitCode.USAGE, run.exitCode());
        assertEquals("", run.out());
        assertTrue(run.err().startsWith("jvmmctl: unknown command 'reboot'"), run::toString);
        assertTrue(run.err().contains("Run jvmmctl --help"), run::toString);
    }

    @Test
    void usageErrorWithJsonIsAnObjectOnStdoutToo() throws Exception {
        CtlRun run = CtlRun.of("--json", "status");
        assertEquals(ExitCode.USAGE, run.exitCode());
        var error = Json.parse(run.out()).path("error");
        assertEquals("jvmmctl.USAGE", error.path("class").asText());
        assertEquals(2, error.path("exit-code").asInt());
        assertTrue(error.path("desc").asText().contains("no QMP socket given"), run::toString);
    }
}
