package io.jvmm.core.config;

import io.jvmm.spi.config.ConfigException;

/**
 * A config error at a path, formatted {@code devices[1].netdev: no netdev 'net9' (line 14)}.
 */
public final class ConfigError extends ConfigException {
    private final String path;
    private final String problem;

    public ConfigError(String path, String problem, SourceMap sources) {
        super(format(path, problem, sources));
        this.path = path;
        this.problem = problem;
    }

    private static String format(String path, String problem, SourceMap sources) {
        String where = sources.locate(path).map(w -> " (" + w + ")").orElse("");
        return (path.isEmpty() ? "" : path + ": ") + problem + where;
    }

    public String path() {
        return path;
    }

    /** The message without path and location. */
    public String problem() {
        return problem;
    }
}
