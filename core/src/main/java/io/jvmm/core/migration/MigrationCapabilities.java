package io.jvmm.core.migration;

import io.jvmm.spi.qmp.QmpError;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Migration capabilities (migrate-set-capabilities): {@code events} (emit MIGRATION events) and
 * {@code x-ignore-shared} (do not copy RAM both sides map from the same file). Unknown names are
 * errors, so a typo never silently changes what a migration does.
 */
public record MigrationCapabilities(boolean events, boolean ignoreShared) {
    public static final List<String> NAMES = List.of("events", "x-ignore-shared");

    public static final MigrationCapabilities DEFAULT = new MigrationCapabilities(false, false);

    public MigrationCapabilities with(String name, boolean state) {
        return switch (name) {
            case "events" -> new MigrationCapabilities(state, ignoreShared);
            case "x-ignore-shared" -> new MigrationCapabilities(events, state);
            default -> throw QmpError.generic("Parameter 'capability' does not accept value '" + name
                    + "' (known: " + String.join(", ", NAMES) + ")");
        };
    }

    /** As query-migrate-capabilities returns them. */
    public List<Map<String, Object>> toQmp() {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("capability", "events");
        e.put("state", events);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("capability", "x-ignore-shared");
        s.put("state", ignoreShared);
        return List.of(e, s);
    }
}
