package io.jvmm.core.migration.qmp;

import io.jvmm.core.migration.MigrationManager;
import io.jvmm.spi.config.Properties;
import io.jvmm.spi.config.PropertySpec;
import io.jvmm.spi.qmp.QmpCommand;
import jakarta.inject.Inject;
import java.util.List;

/** QMP {@code migrate}: Starts migrating this VM to uri (unix:PATH or tcp:HOST:PORT) in the background; watch query-migrate or MIGRATION events. With local=on the URI must be unix:. Fails at once, with the guest still running, if the URI, transport or state does not allow it. */
public final class MigrateCommand implements QmpCommand {
    private final MigrationManager migration;

    @Inject
    public MigrateCommand(MigrationManager migration) {
        this.migration = migration;
    }

    @Override
    public String name() {
        return "migrate";
    }

    @Override
    public String description() {
        return "Starts migrating this VM to uri (unix:PATH or tcp:HOST:PORT) in the background; watch query-migrate or MIGRATION events. With local=on the URI must be unix:. Fails at once, with the guest still running, if the URI, transport or state does not allow it.";
    }

    @Override
    public List<PropertySpec> properties() {
        return List.of(PropertySpec.string("uri", null, "destination: unix:PATH or tcp:HOST:PORT").asRequired(),
                PropertySpec.bool("detach", true, "ignored (QMP migrate always runs in the background)"),
                PropertySpec.bool("resume", false, "postcopy recovery: not supported, must be false"));
    }

    @Override
    public Object execute(Properties arguments) {
        if (arguments.bool("resume")) {
            throw io.jvmm.spi.qmp.QmpError.generic("migrate: resume (postcopy recovery) is not supported");
        }
        migration.migrate(arguments.string("uri"));
        return null;
    }
}
