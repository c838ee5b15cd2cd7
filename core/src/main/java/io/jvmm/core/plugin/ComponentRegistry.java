package io.jvmm.core.plugin;

import io.jvmm.spi.config.Named;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The components of one kind (machine types, device types, ...) by config name, with the plugin
 * each came from. A name claimed twice, by an alias too, is an error naming both plugins: which
 * one wins must never depend on load order.
 *
 * @param <T> the component type
 */
public final class ComponentRegistry<T extends Named> {

    /** One registered component and its origin. */
    public record Entry<T>(String name, T component, String pluginId, boolean alias) {
    }

    private final String kind;
    private final Map<String, Entry<T>> byName = new LinkedHashMap<>();

    public ComponentRegistry(String kind) {
        this.kind = kind;
    }

    /** What this registry holds, for messages: "machine type", "device type". */
    public String kind() {
        return kind;
    }

    public void register(String pluginId, T component, List<String> aliases) {
        String name = component.name();
        if (name == null || name.isBlank()) {
            throw new PluginLoadException(pluginId, "contributes a " + kind + " with an empty name ("
                    + component.getClass().getName() + ")");
        }
        claim(new Entry<>(name, component, pluginId, false));
        for (String alias : aliases) {
            claim(new Entry<>(alias, component, pluginId, true));
        }
    }

    private void claim(Entry<T> entry) {
        Entry<T> previous = byName.get(entry.name());
        if (previous != null) {
            throw new PluginLoadException(entry.pluginId(), kind + " '" + entry.name()
                    + "' is provided by both plugin '" + previous.pluginId() + "' and plugin '"
                    + entry.pluginId() + "'; remove one of them");
        }
        byName.put(entry.name(), entry);
    }

    public Optional<T> find(String name) {
        return Optional.ofNullable(byName.get(name)).map(Entry::component);
    }

    public Optional<Entry<T>> entry(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** Primary names (no aliases), sorted. */
    public List<String> names() {
        List<String> names = new ArrayList<>();
        for (Entry<T> e : byName.values()) {
            if (!e.alias()) {
                names.add(e.name());
            }
        }
        Collections.sort(names);
        return names;
    }

    /** Names and aliases, sorted: what a user may write. */
    public List<String> allNames() {
        return List.copyOf(new TreeSet<>(byName.keySet()));
    }

    /** Every primary component in registration order. */
    public List<Entry<T>> entries() {
        return byName.values().stream().filter(e -> !e.alias()).toList();
    }

    /** Components contributed by one plugin (primary names only). */
    public List<String> namesFrom(String pluginId) {
        return entries().stream().filter(e -> e.pluginId().equals(pluginId)).map(Entry::name).sorted().toList();
    }
}
