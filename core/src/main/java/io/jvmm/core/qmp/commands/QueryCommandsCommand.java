package io.jvmm.core.qmp.commands;

import io.jvmm.core.qmp.QmpCommandRegistry;
import io.jvmm.spi.config.Properties;
import io.jvmm.spi.qmp.QmpCommand;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import java.util.Map;

/** Lists every command the registry dispatches (core and plugins). */
public final class QueryCommandsCommand implements QmpCommand {
    // a Provider: the registry is built from the set of commands this one belongs to
    private final Provider<QmpCommandRegistry> registry;

    @Inject
    public QueryCommandsCommand(Provider<QmpCommandRegistry> registry) {
        this.registry = registry;
    }

    @Override
    public String name() {
        return "query-commands";
    }

    @Override
    public String description() {
        return "Returns [{\"name\": COMMAND}, ...] for every command this jvmm accepts, plugins' included.";
    }

    @Override
    public Object execute(Properties arguments) {
        return registry.get().all().stream().map(r -> Map.of("name", r.command().name())).toList();
    }
}
