package io.jvmm.ctl;

/** The server closed the QMP connection (for example because the VM quit). */
public final class ConnectionClosedException extends CtlException {
    public ConnectionClosedException(String message) {
        super(ExitCode.PROTOCOL, message);
    }
}
