package io.jvmm.spi.config;

import java.util.List;
import java.util.Objects;

/**
 * Declares one property: its name (QEMU's spelling), type, default and one line of help. The host
 * uses these to reject unknown properties, convert values, generate the JSON Schema and the docs.
 *
 * @param defaultValue the default, already of the Java type {@link Properties} returns, or null
 * @param allowedValues for STRING properties with a closed set of values; empty means any
 */
public record PropertySpec(
        String name,
        PropertyType type,
        Object defaultValue,
        boolean required,
        String description,
        List<String> allowedValues) {

    public PropertySpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        description = description == null ? "" : description;
        allowedValues = List.copyOf(allowedValues == null ? List.of() : allowedValues);
    }

    public static PropertySpec bool(String name, boolean defaultValue, String description) {
        return new PropertySpec(name, PropertyType.BOOL, defaultValue, false, description, List.of());
    }

    public static PropertySpec integer(String name, Long defaultValue, String description) {
        return new PropertySpec(name, PropertyType.INT, defaultValue, false, description, List.of());
    }

    public static PropertySpec size(String name, Long defaultValue, String description) {
        return new PropertySpec(name, PropertyType.SIZE, defaultValue, false, description, List.of());
    }

    public static PropertySpec string(String name, String defaultValue, String description) {
        return new PropertySpec(name, PropertyType.STRING, defaultValue, false, description, List.of());
    }

    public static PropertySpec oneOf(String name, String defaultValue, String description, String... values) {
        return new PropertySpec(name, PropertyType.STRING, defaultValue, false, description, List.of(values));
    }

    public static PropertySpec stringList(String name, String description) {
        return new PropertySpec(name, PropertyType.STRING_LIST, null, false, description, List.of());
    }

    public static PropertySpec any(String name, String description) {
        return new PropertySpec(name, PropertyType.ANY, null, false, description, List.of());
    }

    public PropertySpec asRequired() {
        return new PropertySpec(name, type, defaultValue, true, description, allowedValues);
    }
}
