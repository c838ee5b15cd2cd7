package io.jvmm.spi.migration;

import io.jvmm.spi.config.Named;
import java.io.IOException;

/**
 * A migration transport for one URI scheme; {@link #name()} is the scheme ({@code unix},
 * {@code tcp}), the address is what follows the colon.
 */
public interface MigrationTransport extends Named {

    /** Whether channels of this transport can carry file descriptors (SCM_RIGHTS). */
    boolean carriesDescriptors();

    MigrationChannel connect(String address) throws IOException;

    MigrationListener listen(String address) throws IOException;
}
