package io.jvmm.spi.net;

import io.jvmm.spi.config.Named;
import io.jvmm.spi.config.Properties;

/** Creates network backends of one type; {@link #name()} is the {@code -netdev} type. */
public interface NetBackendFactory extends Named {

    /**
     * Creates the backend. {@code incomingMigration} is true when this process was started with
     * {@code -incoming} (options such as tap's {@code incoming-fds} are valid only then).
     */
    NetBackend create(String id, Properties properties, NetBackendContext context);
}
