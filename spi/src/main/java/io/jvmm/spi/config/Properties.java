package io.jvmm.spi.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Validated property values handed to a factory: every key was declared by a {@link PropertySpec},
 * every value already has the Java type of its {@link PropertyType} (Boolean, Long, String,
 * List&lt;String&gt;, or a JSON-like Object for ANY). Defaults are filled in.
 */
public record Properties(Map<String, Object> values) {

    public Properties {
        values = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public static Properties of(Map<String, Object> values) {
        return new Properties(values);
    }

    public boolean has(String name) {
        return values.get(name) != null;
    }

    public boolean bool(String name) {
        return (Boolean) require(name);
    }

    public long integer(String name) {
        return ((Number) require(name)).longValue();
    }

    public int int32(String name) {
        long v = integer(name);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new ConfigException(name + ": " + v + " does not fit in 32 bits");
        }
        return (int) v;
    }

    public long size(String name) {
        return integer(name);
    }

    public String string(String name) {
        return (String) require(name);
    }

    public Optional<String> optionalString(String name) {
        return Optional.ofNullable((String) values.get(name));
    }

    public Optional<Long> optionalInteger(String name) {
        return Optional.ofNullable((Number) values.get(name)).map(Number::longValue);
    }

    public Optional<Boolean> optionalBool(String name) {
        return Optional.ofNullable((Boolean) values.get(name));
    }

    @SuppressWarnings("unchecked")
    public List<String> stringList(String name) {
        Object v = values.get(name);
        return v == null ? List.of() : (List<String>) v;
    }

    public Object any(String name) {
        return values.get(name);
    }

    private Object require(String name) {
        Object v = values.get(name);
        if (v == null) {
            throw new ConfigException("property '" + name + "' is required");
        }
        return v;
    }
}
