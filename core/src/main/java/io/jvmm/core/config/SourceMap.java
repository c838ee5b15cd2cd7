package io.jvmm.core.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Where each config node came from, by path ({@code devices[1].netdev}): "line 14" for YAML, the
 * option for the command line. Looking up a path without an entry falls back to its parent, so an
 * error about a missing key still points at its enclosing node.
 */
public record SourceMap(Map<String, String> locations) {
    public static final SourceMap EMPTY = new SourceMap(Map.of());

    public SourceMap {
        locations = Collections.unmodifiableMap(new LinkedHashMap<>(locations));
    }

    public Optional<String> locate(String path) {
        String p = path;
        while (true) {
            String where = locations.get(p);
            if (where != null) {
                return Optional.of(where);
            }
            int cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
            if (cut <= 0) {
                return Optional.empty();
            }
            p = p.substring(0, cut);
        }
    }

    /** Collects locations while a loader walks its input. */
    public static final class Builder {
        private final Map<String, String> locations = new LinkedHashMap<>();

        public Builder put(String path, String where) {
            locations.putIfAbsent(path, where);
            return this;
        }

        public SourceMap build() {
            return new SourceMap(locations);
        }
    }
}
