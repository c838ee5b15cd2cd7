package io.jvmm.core.qmp;

import io.jvmm.core.plugin.ComponentRegistry;
import io.jvmm.core.plugin.PluginLoadException;
import io.jvmm.spi.qmp.QmpCommand;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Every QMP command, core and plugin: the single source for dispatch, {@code query-commands} and
 * docs/qmp-reference.md.
 */
public final class QmpCommandRegistry {
    /** A command and who provides it ("core" or a plugin id). */
    public record Registered(QmpCommand command, String origin) {
    }

    private final Map<String, Registered> commands = new TreeMap<>();

    public QmpCommandRegistry(Collection<QmpCommand> coreCommands, ComponentRegistry<QmpCommand> pluginCommands) {
        for (QmpCommand c : coreCommands) {
            add(c, "core");
        }
        for (ComponentRegistry.Entry<QmpCommand> e : pluginCommands.entries()) {
            add(e.component(), e.pluginId());
        }
    }

    private void add(QmpCommand command, String origin) {
        Registered previous = commands.putIfAbsent(command.name(), new Registered(command, origin));
        if (previous != null) {
            throw new PluginLoadException(origin, "QMP command '" + command.name() + "' is provided by both "
                    + previous.origin() + " and " + origin);
        }
    }

    public Optional<QmpCommand> find(String name) {
        return Optional.ofNullable(commands.get(name)).map(Registered::command);
    }

    /** Sorted by name. */
    public List<Registered> all() {
        return List.copyOf(commands.values());
    }
}
