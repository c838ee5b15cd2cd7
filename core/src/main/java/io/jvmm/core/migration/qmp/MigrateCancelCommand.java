package io.jvmm.core.migration.qmp;

import io.jvmm.core.migration.MigrationManager;
import io.jvmm.spi.config.Properties;
import io.jvmm.spi.config.PropertySpec;
import io.jvmm.spi.qmp.QmpCommand;
import jakarta.inject.Inject;
import java.util.List;

/** QMP {@code migrate_cancel}: Cancels the running migration; the source resumes with its descriptors untouched. Succeeds when no migration runs. A migration the source has already committed (postmigrate) is not undone. */
public final class MigrateCancelCommand implements QmpCommand {
    private final MigrationManager migration;

    @Inject
    public MigrateCancelCommand(MigrationManager migration) {
        this.migration = migration;
    }

    @Override
    public String name() {
        return "migrate_cancel";
    }

    @Override
    public String description() {
        return "Cancels the running migration; the source resumes with its descriptors untouched. Succeeds when no migration runs. A migration the source has already committed (postmigrate) is not undone.";
    }

    @Override
    public List<PropertySpec> properties() {
        return List.of();
    }

    @Override
    public Object execute(Properties arguments) {
        migration.cancel();
        return null;
    }
}
