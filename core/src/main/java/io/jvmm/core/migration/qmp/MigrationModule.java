package io.jvmm.core.migration.qmp;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.Multibinder;
import io.jvmm.core.migration.MigrationManager;
import io.jvmm.core.migration.MigrationStatus;
import io.jvmm.core.migration.VmMigrationHost;
import io.jvmm.core.plugin.Registries;
import io.jvmm.core.vm.MigratableVm;
import io.jvmm.spi.lifecycle.RunState;
import io.jvmm.spi.migration.MigrationTransport;
import io.jvmm.spi.qmp.QmpCommand;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Wires the migration engine into a VM (it lives with the QMP commands it binds, so the engine's own
 * package depends on nothing of its QMP face): one {@link MigrationManager} per VM (created eagerly, so
 * that {@code -incoming URI} starts listening as soon as the VM enters inmigrate), its QMP
 * commands, and the transports every plugin contributed.
 */
public final class MigrationModule extends AbstractModule {

    @Override
    protected void configure() {
        Multibinder<QmpCommand> commands = Multibinder.newSetBinder(binder(), QmpCommand.class);
        commands.addBinding().to(MigrateCommand.class);
        commands.addBinding().to(MigrateIncomingCommand.class);
        commands.addBinding().to(MigrateCancelCommand.class);
        commands.addBinding().to(QueryMigrateCommand.class);
        commands.addBinding().to(MigrateSetCapabilitiesCommand.class);
        commands.addBinding().to(QueryMigrateCapabilitiesCommand.class);
        commands.addBinding().to(MigrateSetParametersCommand.class);
        commands.addBinding().to(QueryMigrateParametersCommand.class);
        bind(IncomingOnStart.class).asEagerSingleton();
    }

    @Provides
    @Singleton
    MigrationManager manager(MigratableVm vm, Registries registries) {
        List<MigrationTransport> transports = new ArrayList<>();
        registries.migrationTransports().entries().forEach(e -> {
            if (!e.alias()) {
                transports.add(e.component());
            }
        });
        MigrationManager m = new MigrationManager(new VmMigrationHost(vm), transports);
        vm.addRunStateListener(s -> {
            if (s == RunState.SHUTDOWN) {
                m.close();
            }
        });
        return m;
    }

    /** {@code -incoming URI}: listen once the VM enters inmigrate ({@code defer} waits for migrate-incoming). */
    static final class IncomingOnStart {
        @jakarta.inject.Inject
        IncomingOnStart(MigratableVm vm, MigrationManager manager) {
            vm.incoming().filter(uri -> !uri.equals("defer")).ifPresent(uri -> vm.addRunStateListener(s -> {
                if (s == RunState.INMIGRATE && manager.status() == MigrationStatus.NONE) {
                    try {
                        manager.incoming(uri);
                    } catch (RuntimeException e) {
                        LoggerFactory.getLogger(MigrationModule.class).error("-incoming {}: {}", uri, e.getMessage());
                    }
                }
            }));
        }
    }
}
