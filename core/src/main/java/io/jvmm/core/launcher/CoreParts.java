package io.jvmm.core.launcher;

import io.jvmm.core.migration.TcpMigrationTransport;
import io.jvmm.spi.VmmPlugin;
import io.jvmm.spi.migration.MigrationTransport;
import java.util.List;

/**
 * Components the core contributes like a plugin would, listed as plugin "builtin" next to machine
 * type none. They are gathered here, at the top of the core, so the plugin package depends on none
 * of them (ArchitectureTest forbids package cycles).
 */
final class CoreParts {
    private CoreParts() {
    }

    static List<VmmPlugin> all() {
        return List.of(new VmmPlugin() {
            /** tcp: is built in so an ordinary migration needs no plugin (unix: comes from migration-unix). */
            @Override
            public List<MigrationTransport> migrationTransports() {
                return List.of(new TcpMigrationTransport());
            }
        });
    }
}
