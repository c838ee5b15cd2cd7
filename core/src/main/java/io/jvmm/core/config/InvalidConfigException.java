package io.jvmm.core.config;

import io.jvmm.spi.config.ConfigException;
import java.util.List;
import java.util.stream.Collectors;

/** Every problem found in a config, one per line, so a user fixes them in one pass. */
public final class InvalidConfigException extends ConfigException {
    private final List<ConfigException> errors;

    public InvalidConfigException(List<? extends ConfigException> errors) {
        super(errors.stream().map(Throwable::getMessage).collect(Collectors.joining("\n")));
        this.errors = List.copyOf(errors);
    }

    public List<ConfigException> errors() {
        return errors;
    }
}
