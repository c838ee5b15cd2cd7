package io.jvmm.core.migration.qmp;

import io.jvmm.core.migration.MigrationManager;
import io.jvmm.spi.config.Properties;
import io.jvmm.spi.config.PropertySpec;
import io.jvmm.spi.qmp.QmpCommand;
import jakarta.inject.Inject;
import java.util.List;

/** QMP {@code query-migrate}: Status of the current or last migration: {} before any; else status (setup, active, device, completed, failed, cancelling, cancelled), total-time, setup-time, downtime (ms), ram statistics, error-desc on failure, x-setup (connect, handshake, warm-up) and x-switchover (stop, RAM, state sent, target load, ack), in microseconds. */
public final class QueryMigrateCommand implements QmpCommand {
    private final MigrationManager migration;

    @Inject
    public QueryMigrateCommand(MigrationManager migration) {
        this.migration = migration;
    }

    @Override
    public String name() {
        return "query-migrate";
    }

    @Override
    public String description() {
        return "Status of the current or last migration: {} before any; else status (setup, active, device, completed, failed, cancelling, cancelled), total-time, setup-time, downtime (ms), ram statistics, error-desc on failure, x-setup (connect, handshake, warm-up) and x-switchover (stop, RAM, state sent, target load, ack), in microseconds.";
    }

    @Override
    public List<PropertySpec> properties() {
        return List.of();
    }

    @Override
    public Object execute(Properties arguments) {
        return migration.query();
    }
}
