package io.jvmm.spi.vmstate;

/** The state does not load: unknown section, wrong field, value out of range, too new a version. */
public class VmStateException extends RuntimeException {
    public VmStateException(String message) {
        super(message);
    }

    public VmStateException(String message, Throwable cause) {
        super(message, cause);
    }
}
