package io.jvmm.spi.net;

/** What a backend gets at creation. */
public interface NetBackendContext {
    /** True when the process was started for an incoming migration. */
    boolean incomingMigration();
}
