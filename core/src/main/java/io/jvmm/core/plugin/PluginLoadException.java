package io.jvmm.core.plugin;

/** A plugin could not be loaded or contributes something invalid; names the plugin and the reason. */
public final class PluginLoadException extends RuntimeException {
    private final String pluginId;

    public PluginLoadException(String pluginId, String reason) {
        super("plugin '" + pluginId + "': " + reason);
        this.pluginId = pluginId;
    }

    public PluginLoadException(String pluginId, String reason, Throwable cause) {
        super("plugin '" + pluginId + "': " + reason, cause);
        this.pluginId = pluginId;
    }

    public String pluginId() {
        return pluginId;
    }
}
