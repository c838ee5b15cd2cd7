package io.jvmm.core.migration.qmp;

import io.jvmm.core.migration.MigrationManager;
import io.jvmm.spi.config.Properties;
import io.jvmm.spi.config.PropertySpec;
import io.jvmm.spi.qmp.QmpCommand;
import jakarta.inject.Inject;
import java.util.List;

/** QMP {@code migrate-set-parameters}: Sets migration parameters; only those given change: local (hand tap descriptors and memfd RAM to a target on the same host; needs unix: and local on both sides), downtime-limit (ms), max-bandwidth (bytes/s, 0 = unlimited). */
public final class MigrateSetParametersCommand implements QmpCommand {
    private final MigrationManager migration;

    @Inject
    public MigrateSetParametersCommand(MigrationManager migration) {
        this.migration = migration;
    }

    @Override
    public String name() {
        return "migrate-set-parameters";
    }

    @Override
    public String description() {
        return "Sets migration parameters; only those given change: local (hand tap descriptors and memfd RAM to a target on the same host; needs unix: and local on both sides), downtime-limit (ms), max-bandwidth (bytes/s, 0 = unlimited).";
    }

    @Override
    public List<PropertySpec> properties() {
        return List.of(new PropertySpec("local", io.jvmm.spi.config.PropertyType.BOOL, null, false,
                        "local migration: pass host descriptors instead of recreating them", List.of()),
                PropertySpec.integer("downtime-limit", null, "maximum downtime in milliseconds (reported)"),
                PropertySpec.integer("max-bandwidth", null, "RAM copy rate limit in bytes per second, 0 for none"));
    }

    @Override
    public Object execute(Properties arguments) {
        migration.setParameters(arguments);
        return null;
    }
}
