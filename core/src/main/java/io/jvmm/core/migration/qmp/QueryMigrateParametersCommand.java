package io.jvmm.core.migration.qmp;

import io.jvmm.core.migration.MigrationManager;
import io.jvmm.spi.config.Properties;
import io.jvmm.spi.config.PropertySpec;
import io.jvmm.spi.qmp.QmpCommand;
import jakarta.inject.Inject;
import java.util.List;

/** QMP {@code query-migrate-parameters}: Reports the migration parameters: local, downtime-limit, max-bandwidth. */
public final class QueryMigrateParametersCommand implements QmpCommand {
    private final MigrationManager migration;

    @Inject
    public QueryMigrateParametersCommand(MigrationManager migration) {
        this.migration = migration;
    }

    @Override
    public String name() {
        return "query-migrate-parameters";
    }

    @Override
    public String description() {
        return "Reports the migration parameters: local, downtime-limit, max-bandwidth.";
    }

    @Override
    public List<PropertySpec> properties() {
        return List.of();
    }

    @Override
    public Object execute(Properties arguments) {
        return migration.parameters().toQmp();
    }
}
