package io.jvmm.core.plugin;

import java.util.Optional;

/**
 * A plugin the host loaded (or the built-in one).
 *
 * @param location the jar or folder it came from; empty for the built-in plugin
 */
public record LoadedPlugin(String id, String version, String description, Optional<String> location) {
}
