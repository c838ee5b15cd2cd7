package io.jvmm.spi.migration;

import java.io.IOException;

/** A listening endpoint on the target; closing it removes a UNIX socket file it created. */
public interface MigrationListener extends AutoCloseable {

    /** Blocks until the source connects (or the listener is closed). */
    MigrationChannel accept() throws IOException;

    String address();

    @Override
    void close() throws IOException;
}
