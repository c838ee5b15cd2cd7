package io.jvmm.ctl;

/** The server answered a command with {@code {"error": {"class": ..., "desc": ...}}}. */
public final class QmpErrorException extends CtlException {
    private final String command;
    private final String errorClass;
    private final String description;

    public QmpErrorException(String command, String errorClass, String description) {
        super(ExitCode.QMP_ERROR, command + " failed: " + description + " (" + errorClass + ")");
        this.command = command;
        this.errorClass = errorClass;
        this.description = description;
    }

    public String command() {
        return command;
    }

    public String errorClass() {
        return errorClass;
    }

    public String description() {
        return description;
    }
}
