package io.jvmm.core.config;

import java.util.LinkedHashMap;
import java.util.List;

/** A YAML node with the line it started on: the parser's tree, kept just long enough to map it. */
sealed interface YamlNode {
    int line();

    /** A scalar as written ({@code on}, {@code 1G}, {@code 4}); null for an empty value. */
    record Scalar(String text, int line) implements YamlNode {
    }

    record Mapping(LinkedHashMap<String, YamlNode> entries, LinkedHashMap<String, Integer> keyLines, int line)
            implements YamlNode {
    }

    record Sequence(List<YamlNode> items, int line) implements YamlNode {
    }

    static String kind(YamlNode n) {
        return switch (n) {
            case Scalar s -> s.text() == null ? "an empty value" : "a single value";
            case Mapping m -> "a mapping";
            case Sequence q -> "a list";
        };
    }
}
