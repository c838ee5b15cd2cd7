package io.jvmm.core.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Property values as written: a String, or a List of Strings (YAML sequences, QEMU's fds=a:b). */
final class RawProperties {
    private RawProperties() {
    }

    static Map<String, Object> copy(Map<String, Object> in) {
        LinkedHashMap<String, Object> out = new LinkedHashMap<>();
        in.forEach((k, v) -> {
            if (!(v instanceof String) && !(v instanceof List<?>)) {
                throw new IllegalArgumentException("property " + k + ": raw values are strings or lists, got " + v);
            }
            out.put(k, v instanceof List<?> l ? List.copyOf(l) : v);
        });
        return Collections.unmodifiableMap(out);
    }
}
