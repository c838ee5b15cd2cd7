package io.jvmm.core.config;

import io.jvmm.spi.config.ConfigException;
import io.jvmm.spi.config.Properties;
import io.jvmm.spi.config.PropertySpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Validates raw property values against a factory's {@link PropertySpec}s and converts them to the
 * Java types {@link Properties} promises. Order of precedence: the spec's default, then the machine
 * type's compat value, then what the user wrote. Unknown keys are errors that list the known ones.
 */
public final class PropertyBinder {
    private PropertyBinder() {
    }

    /**
     * @param what for messages: "device type 'virtio-net-pci'"
     * @param path the config path of the node owning the properties ({@code devices[1]})
     * @param compat compat defaults (raw strings) for this driver
     * @param errors where problems go; the returned Properties is only meaningful if none were added
     */
    public static Properties bind(String what, List<PropertySpec> specs, Map<String, Object> raw,
            Map<String, String> compat, String path, SourceMap sources, List<ConfigException> errors) {
        Map<String, PropertySpec> byName = new LinkedHashMap<>();
        for (PropertySpec s : specs) {
            byName.put(s.name(), s);
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (PropertySpec s : specs) {
            values.put(s.name(), s.defaultValue());
        }
        compat.forEach((name, value) -> {
            PropertySpec spec = byName.get(name);
            if (spec == null) {
                // A compat entry for a property this version of the plugin no longer has: the
                // machine type and the device disagree; the user cannot fix that, so say who can.
                errors.add(new ConfigError(path, "the machine type sets compat property '" + name + "' which "
                        + what + " does not have (plugin version mismatch)", sources));
                return;
            }
            convert(spec, value, path + "." + name, sources, errors, values);
        });
        raw.forEach((name, value) -> {
            String p = path + "." + name;
            PropertySpec spec = byName.get(name);
            if (spec == null) {
                errors.add(new ConfigError(p, "unknown property '" + name + "' of " + what + "; known: "
                        + (byName.isEmpty() ? "(none)" : String.join(", ", byName.keySet())), sources));
                return;
            }
            convert(spec, value, p, sources, errors, values);
        });
        for (PropertySpec s : specs) {
            if (s.required() && values.get(s.name()) == null) {
                errors.add(new ConfigError(path + "." + s.name(), "required property '" + s.name()
                        + "' of " + what + " is missing", sources));
            }
        }
        return Properties.of(values);
    }

    private static void convert(PropertySpec spec, Object raw, String path, SourceMap sources,
            List<ConfigException> errors, Map<String, Object> into) {
        try {
            into.put(spec.name(), convert(spec, raw));
        } catch (ConfigException e) {
            errors.add(new ConfigError(path, e.getMessage(), sources));
        }
    }

    /** Converts one raw value (String, List of Strings, or for QMP a JSON value) to the spec's type. */
    public static Object convert(PropertySpec spec, Object raw) {
        Object v = switch (spec.type()) {
            case BOOL -> raw instanceof Boolean b ? b : PropertyValues.parseBool(scalar(raw));
            case INT -> raw instanceof Number n && !(raw instanceof Double || raw instanceof Float)
                    ? n.longValue() : PropertyValues.parseInt(scalar(raw));
            case SIZE -> raw instanceof Number n && !(raw instanceof Double || raw instanceof Float)
                    ? checkNonNegative(n.longValue()) : PropertyValues.parseSize(scalar(raw), 1);
            case STRING -> scalar(raw);
            case STRING_LIST -> list(raw);
            case ANY -> raw;
        };
        if (!spec.allowedValues().isEmpty() && !spec.allowedValues().contains(String.valueOf(v))) {
            throw new ConfigException("'" + v + "' is not one of " + String.join(", ", spec.allowedValues()));
        }
        return v;
    }

    private static long checkNonNegative(long v) {
        if (v < 0) {
            throw new ConfigException("a size cannot be negative: " + v);
        }
        return v;
    }

    private static String scalar(Object raw) {
        if (raw instanceof String s) {
            return s;
        }
        if (raw instanceof Number || raw instanceof Boolean) {
            return String.valueOf(raw);
        }
        throw new ConfigException("expected a single value, got " + describe(raw));
    }

    private static List<String> list(Object raw) {
        if (raw instanceof String s) {
            // QEMU's command line separates list items with ':' (fds=3:4:5)
            return s.isEmpty() ? List.of() : List.of(s.split(":", -1));
        }
        if (raw instanceof List<?> l) {
            List<String> out = new ArrayList<>();
            for (Object o : l) {
                out.add(scalar(o));
            }
            return List.copyOf(out);
        }
        throw new ConfigException("expected a list, got " + describe(raw));
    }

    private static String describe(Object raw) {
        if (raw instanceof Map<?, ?>) {
            return "a mapping";
        }
        if (raw instanceof List<?> l) {
            return "a list " + l.stream().map(String::valueOf).collect(Collectors.joining(", ", "[", "]"));
        }
        return String.valueOf(raw);
    }
}
