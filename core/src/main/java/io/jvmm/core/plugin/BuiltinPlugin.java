package io.jvmm.core.plugin;

import io.jvmm.core.migration.TcpMigrationTransport;
import io.jvmm.spi.VmmPlugin;
import io.jvmm.spi.machine.MachineType;
import io.jvmm.spi.migration.MigrationTransport;
import java.util.List;

/** What the core itself contributes, listed like a plugin so {@code ./jvmm plugins} shows it. */
final class BuiltinPlugin implements VmmPlugin {
    static final String ID = "builtin";

    @Override
    public List<MachineType> machineTypes() {
        return List.of(new NoneMachineType());
    }

    /** tcp: is built in so an ordinary migration needs no plugin (unix: comes from migration-unix). */
    @Override
    public List<MigrationTransport> migrationTransports() {
        return List.of(new TcpMigrationTransport());
    }
}
