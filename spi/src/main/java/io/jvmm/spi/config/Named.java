package io.jvmm.spi.config;

import java.util.List;

/** Something contributed by a plugin under a config key, with the properties it accepts. */
public interface Named {
    /** The config key: {@code -device NAME}, {@code type: NAME}. */
    String name();

    /** One line for {@code ./jvmm plugins} and the docs. */
    default String description() {
        return "";
    }

    /** Every property accepted; anything else is an error. */
    default List<PropertySpec> properties() {
        return List.of();
    }
}
