package io.jvmm.core.config;

import java.util.Map;

/** @param properties accelerator properties as written ({@code socket}, {@code log} for qtest) */
public record AccelConfig(String type, Map<String, Object> properties) {
    public AccelConfig {
        properties = RawProperties.copy(properties);
    }
}
