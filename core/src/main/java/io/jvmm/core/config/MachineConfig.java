package io.jvmm.core.config;

import java.util.Map;

/**
 * @param type machine type name or alias ({@code q35}, {@code pc-q35-7.2}, {@code none})
 * @param properties machine properties as written (strings, or lists of strings)
 */
public record MachineConfig(String type, MemoryConfig memory, Map<String, Object> properties) {
    public MachineConfig {
        properties = RawProperties.copy(properties);
    }
}
