package io.jvmm.plugin.migration.unix;

import io.jvmm.spi.VmmPlugin;
import io.jvmm.spi.migration.MigrationTransport;
import java.util.List;
import org.pf4j.Extension;

/** Contributes the {@code unix:} migration transport, the one that carries descriptors. */
@Extension
public final class UnixMigrationPlugin implements VmmPlugin {
    @Override
    public List<MigrationTransport> migrationTransports() {
        return List.of(new UnixMigrationTransport());
    }
}
