package io.jvmm.testkit;

/** The VMM answered a qtest request with FAIL, or with a reply the client cannot parse. */
public class QtestException extends RuntimeException {
    public QtestException(String message) {
        super(message);
    }
}
