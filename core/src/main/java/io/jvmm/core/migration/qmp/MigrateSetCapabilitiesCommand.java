package io.jvmm.core.migration.qmp;

import io.jvmm.core.migration.MigrationManager;
import io.jvmm.spi.config.Properties;
import io.jvmm.spi.config.PropertySpec;
import io.jvmm.spi.qmp.QmpCommand;
import jakarta.inject.Inject;
import java.util.List;

/** QMP {@code migrate-set-capabilities}: Sets migration capabilities: a list of {capability, state}; known: events (emit MIGRATION events), x-ignore-shared (do not copy RAM both sides map from the same shared file). Unknown names are errors and nothing changes. */
public final class MigrateSetCapabilitiesCommand implements QmpCommand {
    private final MigrationManager migration;

    @Inject
    public MigrateSetCapabilitiesCommand(MigrationManager migration) {
        this.migration = migration;
    }

    @Override
    public String name() {
        return "migrate-set-capabilities";
    }

    @Override
    public String description() {
        return "Sets migration capabilities: a list of {capability, state}; known: events (emit MIGRATION events), x-ignore-shared (do not copy RAM both sides map from the same shared file). Unknown names are errors and nothing changes.";
    }

    @Override
    public List<PropertySpec> properties() {
        return List.of(PropertySpec.any("capabilities", "list of {capability: NAME, state: BOOL}").asRequired());
    }

    @Override
    public Object execute(Properties arguments) {
        Object raw = arguments.any("capabilities");
        if (!(raw instanceof List<?> list)) {
            throw io.jvmm.spi.qmp.QmpError.generic("Invalid parameter type for 'capabilities', expected: array");
        }
        List<java.util.Map<String, Object>> entries = new java.util.ArrayList<>();
        for (Object o : list) {
            if (!(o instanceof java.util.Map<?, ?> m)) {
                throw io.jvmm.spi.qmp.QmpError.generic("each capability must be an object {capability, state}");
            }
            java.util.Map<String, Object> e = new java.util.LinkedHashMap<>();
            m.forEach((k, v) -> e.put(String.valueOf(k), v));
            entries.add(e);
        }
        migration.setCapabilities(entries);
        return null;
    }
}
