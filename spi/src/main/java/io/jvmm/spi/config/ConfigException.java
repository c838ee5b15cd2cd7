package io.jvmm.spi.config;

/**
 * A configuration error a user can fix. The message says what is wrong and, where it can, what to
 * do instead; the host prefixes it with the config path and line.
 */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
