package io.jvmm.ctl;

/**
 * A failure jvmmctl reports to the user as one message on stderr and an exit code. The message must say what
 * went wrong and what to do next; no stack trace is shown.
 */
public class CtlException extends RuntimeException {
    private final ExitCode exitCode;

    public CtlException(ExitCode exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public CtlException(ExitCode exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public ExitCode exitCode() {
        return exitCode;
    }
}
