package io.jvmm.core.migration.qmp;

import io.jvmm.core.migration.MigrationManager;
import io.jvmm.spi.config.Properties;
import io.jvmm.spi.config.PropertySpec;
import io.jvmm.spi.qmp.QmpCommand;
import jakarta.inject.Inject;
import java.util.List;

/** QMP {@code query-migrate-capabilities}: Lists the migration capabilities and their states. */
public final class QueryMigrateCapabilitiesCommand implements QmpCommand {
    private final MigrationManager migration;

    @Inject
    public QueryMigrateCapabilitiesCommand(MigrationManager migration) {
        this.migration = migration;
    }

    @Override
    public String name() {
        return "query-migrate-capabilities";
    }

    @Override
    public String description() {
        return "Lists the migration capabilities and their states.";
    }

    @Override
    public List<PropertySpec> properties() {
        return List.of();
    }

    @Override
    public Object execute(Properties arguments) {
        return migration.capabilities().toQmp();
    }
}
