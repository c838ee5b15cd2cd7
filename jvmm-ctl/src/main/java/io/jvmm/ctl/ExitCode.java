package io.jvmm.ctl;

/**
 * Process exit codes of jvmmctl. Scripts branch on these, so they are part of the interface and are listed in
 * docs/jvmmctl.md; never renumber one.
 */
public enum ExitCode {
    /** The command succeeded (for {@code migrate}: the migration completed). */
    OK(0),
    /** The server answered the command with a QMP error (for example a command it does not know). */
    QMP_ERROR(1),
    /** The command line is wrong; nothing was sent. */
    USAGE(2),
    /** No connection: the socket is missing, not a socket, refused, or not accessible. */
    CONNECTION(3),
    /** Connected, but the peer is not a QMP server, stopped answering, or closed the connection. */
    PROTOCOL(4),
    /** {@code migrate} ran but the migration ended {@code failed} or {@code cancelled}. */
    MIGRATION_FAILED(5),
    /** Interrupted with Ctrl-C (the shell's convention, 128 + SIGINT). */
    INTERRUPTED(130);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
