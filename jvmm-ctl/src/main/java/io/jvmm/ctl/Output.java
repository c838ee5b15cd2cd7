package io.jvmm.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;

/**
 * Where results go. Text mode is for people; {@code --json} prints exactly one compact JSON object per result on
 * stdout (also for failures), so a script can read line by line. A live progress line is drawn only on a terminal.
 */
public final class Output {
    /** ANSI "erase to end of line": a shorter progress line must not leave the tail of a longer one. */
    private static final String ERASE_LINE = "\033[K";

    private final PrintStream out;
    private final PrintStream err;
    private final boolean json;
    private final boolean terminal;
    private boolean progressShown;

    public Output(PrintStream out, PrintStream err, boolean json, boolean terminal) {
        this.out = out;
        this.err = err;
        this.json = json;
        this.terminal = terminal;
    }

    public boolean json() {
        return json;
    }

    public boolean terminal() {
        return terminal;
    }

    /** A command's result: the JSON object with --json, otherwise the text (nothing if it is empty). */
    public void result(JsonNode node, String text) {
        endProgress();
        if (json) {
            out.println(Json.compact(node));
        } else if (!text.isEmpty()) {
            out.println(text);
        }
        out.flush();
    }

    /** Progress while something runs: redrawn in place on a terminal, one line each otherwise, none with --json. */
    public void progress(String line) {
        if (json) {
            return;
        }
        if (terminal) {
            out.print("\r" + line + ERASE_LINE);
            progressShown = true;
        } else {
            out.println(line);
        }
        out.flush();
    }

    /** Ends a progress line drawn in place, so that what follows starts on a line of its own. */
    public void endProgress() {
        if (progressShown) {
            out.println();
            progressShown = false;
        }
    }

    /** A note for people (stderr), e.g. what happens on Ctrl-C; not part of any result. */
    public void note(String text) {
        endProgress();
        err.println(text);
        err.flush();
    }

    /** Reports a failure: the message on stderr, and with --json also an {@code {"error": ...}} object on stdout. */
    public void error(CtlException failure) {
        endProgress();
        err.println("jvmmctl: " + failure.getMessage());
        err.flush();
        if (json) {
            ObjectNode error = Json.object();
            ObjectNode body = error.putObject("error");
            if (failure instanceof QmpErrorException qmp) {
                body.put("class", qmp.errorClass()).put("desc", qmp.description());
            } else {
                body.put("class", "jvmmctl." + failure.exitCode().name()).put("desc", failure.getMessage());
            }
            body.put("exit-code", failure.exitCode().code());
            out.println(Json.compact(error));
            out.flush();
        }
    }
}
