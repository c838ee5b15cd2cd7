package io.jvmm.core.migration.qmp;

import io.jvmm.core.migration.MigrationManager;
import io.jvmm.spi.config.Properties;
import io.jvmm.spi.config.PropertySpec;
import io.jvmm.spi.qmp.QmpCommand;
import jakarta.inject.Inject;
import java.util.List;

/** QMP {@code migrate-incoming}: Listens for an incoming migration on uri (unix:PATH or tcp:HOST:PORT). Only in a process started with -incoming (usually -incoming defer); set capabilities and parameters first. */
public final class MigrateIncomingCommand implements QmpCommand {
    private final MigrationManager migration;

    @Inject
    public MigrateIncomingCommand(MigrationManager migration) {
        this.migration = migration;
    }

    @Override
    public String name() {
        return "migrate-incoming";
    }

    @Override
    public String description() {
        return "Listens for an incoming migration on uri (unix:PATH or tcp:HOST:PORT). Only in a process started with -incoming (usually -incoming defer); set capabilities and parameters first.";
    }

    @Override
    public List<PropertySpec> properties() {
        return List.of(PropertySpec.string("uri", null, "where to listen: unix:PATH or tcp:HOST:PORT").asRequired());
    }

    @Override
    public Object execute(Properties arguments) {
        migration.incoming(arguments.string("uri"));
        return null;
    }
}
