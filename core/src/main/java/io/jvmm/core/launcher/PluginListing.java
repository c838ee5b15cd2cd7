package io.jvmm.core.launcher;

import io.jvmm.core.plugin.ComponentRegistry;
import io.jvmm.core.plugin.LoadedPlugin;
import io.jvmm.core.plugin.PluginHost;
import io.jvmm.core.qmp.QmpCommandRegistry;
import java.util.List;

/** The text of {@code ./jvmm plugins}: each plugin, its version, and what it contributes. */
final class PluginListing {
    private PluginListing() {
    }

    static String render(PluginHost host, QmpCommandRegistry commands) {
        StringBuilder sb = new StringBuilder();
        sb.append("plugins folder: ").append(host.pluginsDir().map(Object::toString).orElse("(none)")).append('\n');
        for (LoadedPlugin p : host.plugins()) {
            sb.append('\n').append(p.id()).append(' ').append(p.version());
            if (!p.description().isEmpty()) {
                sb.append("  ").append(p.description());
            }
            sb.append('\n');
            p.location().ifPresent(l -> sb.append("  from: ").append(l).append('\n'));
            for (ComponentRegistry<?> r : host.registries().all()) {
                if (r.kind().equals("QMP command")) {
                    continue;
                }
                List<String> names = r.namesFrom(p.id());
                if (!names.isEmpty()) {
                    sb.append("  ").append(r.kind()).append("s: ").append(String.join(", ", names));
                    if (r.kind().equals("machine type")) {
                        List<String> aliases = r.allNames().stream()
                                .filter(n -> !names.contains(n) && r.entry(n).map(e -> e.pluginId().equals(p.id())).orElse(false))
                                .toList();
                        if (!aliases.isEmpty()) {
                            sb.append(" (aliases: ").append(String.join(", ", aliases)).append(')');
                        }
                    }
                    sb.append('\n');
                }
            }
            String origin = p.id().equals("builtin") ? "core" : p.id();
            List<String> qmp = commands.all().stream().filter(c -> c.origin().equals(origin))
                    .map(c -> c.command().name()).toList();
            if (!qmp.isEmpty()) {
                sb.append("  QMP commands: ").append(String.join(", ", qmp)).append('\n');
            }
        }
        return sb.toString();
    }
}
