package io.jvmm.core.config;

import java.util.Map;
import java.util.Optional;

/** A device ({@code -device DRIVER,id=ID,...}); the id is generated when not given. */
public record DeviceConfig(String type, Optional<String> id, Map<String, Object> properties) {
    public DeviceConfig {
        properties = RawProperties.copy(properties);
    }
}
