package io.jvmm.core.qmp;

import io.jvmm.spi.config.Properties;
import io.jvmm.spi.config.PropertySpec;
import io.jvmm.spi.qmp.QmpError;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks QMP arguments against a command's PropertySpecs with QMP's strict JSON typing (a boolean
 * must be true/false, not "on"), with QEMU's error messages.
 */
final class QmpArguments {
    private QmpArguments() {
    }

    static Properties bind(List<PropertySpec> specs, Map<String, Object> args) {
        Map<String, PropertySpec> byName = new LinkedHashMap<>();
        for (PropertySpec s : specs) {
            byName.put(s.name(), s);
        }
        for (String key : args.keySet()) {
            if (!byName.containsKey(key)) {
                throw QmpError.generic("Parameter '" + key + "' is unexpected");
            }
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (PropertySpec s : specs) {
            Object raw = args.get(s.name());
            if (raw == null) {
                if (s.required()) {
                    throw QmpError.generic("Parameter '" + s.name() + "' is missing");
                }
                values.put(s.name(), s.defaultValue());
                continue;
            }
            values.put(s.name(), convert(s, raw));
        }
        return Properties.of(values);
    }

    private static Object convert(PropertySpec s, Object raw) {
        Object v = switch (s.type()) {
            case BOOL -> {
                if (raw instanceof Boolean b) {
                    yield b;
                }
                throw wrongType(s, "boolean");
            }
            case INT, SIZE -> {
                if (raw instanceof Integer || raw instanceof Long || raw instanceof java.math.BigInteger bi && bi.bitLength() < 64) {
                    long l = ((Number) raw).longValue();
                    if (s.type() == io.jvmm.spi.config.PropertyType.SIZE && l < 0) {
                        throw QmpError.generic("Parameter '" + s.name() + "' expects a size (non-negative)");
                    }
                    yield l;
                }
                throw wrongType(s, s.type() == io.jvmm.spi.config.PropertyType.SIZE ? "size" : "integer");
            }
            case STRING -> {
                if (raw instanceof String str) {
                    yield str;
                }
                throw wrongType(s, "string");
            }
            case STRING_LIST -> {
                if (raw instanceof List<?> l) {
                    List<String> out = new ArrayList<>();
                    for (Object o : l) {
                        if (!(o instanceof String str)) {
                            throw wrongType(s, "array of strings");
                        }
                        out.add(str);
                    }
                    yield List.copyOf(out);
                }
                throw wrongType(s, "array");
            }
            case ANY -> raw;
        };
        if (!s.allowedValues().isEmpty() && !s.allowedValues().contains(String.valueOf(v))) {
            throw QmpError.generic("Parameter '" + s.name() + "' does not accept value '" + v + "'");
        }
        return v;
    }

    private static QmpError wrongType(PropertySpec s, String expected) {
        return QmpError.generic("Invalid parameter type for '" + s.name() + "', expected: " + expected);
    }
}
