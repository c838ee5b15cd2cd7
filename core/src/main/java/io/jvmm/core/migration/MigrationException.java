package io.jvmm.core.migration;

/** A migration failed: the message is what query-migrate reports as {@code error-desc}. */
public class MigrationException extends RuntimeException {
    public MigrationException(String message) {
        super(message);
    }

    public MigrationException(String message, Throwable cause) {
        super(message, cause);
    }
}
