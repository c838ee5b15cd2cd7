package io.jvmm.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OutputTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private Output output(boolean json, boolean terminal) {
        return new Output(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), json, terminal);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void terminalRedrawsProgressInPlaceThenEndsTheLine() {
        Output output = output(false, true);
        output.progress("10%");
        output.progress("100%");
        output.result(Json.object(), "done");
        assertEquals("\r10%\033[K\r100%\033[K" + System.lineSeparator() + "done" + System.lineSeparator(), out());
    }

    @Test
    void withoutTerminalEachProgressIsALine() {
        Output output = output(false, false);
        output.progress("10%");
        output.progress("100%");
        assertEquals("10%" + System.lineSeparator() + "100%" + System.lineSeparator(), out());
    }

    @Test
    void jsonPrintsOnlyResultsOneObjectPerLine() {
        Output output = output(true, false);
        output.progress("10%");
        output.result(Json.object().put("status", "running"), "running");
        assertEquals("{\"status\":\"running\"}" + System.lineSeparator(), out());
    }

    @Test
    void jsonFailuresAreObjectsTooWithTheExitCode() {
        output(true, false).error(new QmpErrorException("stop", "GenericError", "no VM"));
        assertEquals("{\"error\":{\"class\":\"GenericError\",\"desc\":\"no VM\",\"exit-code\":1}}"
                + System.lineSeparator(), out());
        assertEquals("jvmmctl: stop failed: no VM (GenericError)" + System.lineSeparator(),
                err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void textFailuresGoToStderrOnly() {
        output(false, false).error(new CtlException(ExitCode.CONNECTION, "no QMP socket at /x"));
        assertEquals("", out());
        assertEquals("jvmmctl: no QMP socket at /x" + System.lineSeparator(), err.toString(StandardCharsets.UTF_8));
    }
}
