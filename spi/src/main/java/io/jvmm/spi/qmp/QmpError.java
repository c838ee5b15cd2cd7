package io.jvmm.spi.qmp;

/** A QMP error reply: {@code {"error": {"class": CLASS, "desc": DESC}}}. */
public class QmpError extends RuntimeException {
    private final String errorClass;

    public QmpError(String errorClass, String desc) {
        super(desc);
        this.errorClass = errorClass;
    }

    public static QmpError generic(String desc) {
        return new QmpError("GenericError", desc);
    }

    public String errorClass() {
        return errorClass;
    }
}
