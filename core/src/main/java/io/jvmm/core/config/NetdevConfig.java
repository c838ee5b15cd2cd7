package io.jvmm.core.config;

import java.util.Map;

/** A network backend ({@code -netdev TYPE,id=ID,...}); properties use QEMU's names. */
public record NetdevConfig(String id, String type, Map<String, Object> properties) {
    public NetdevConfig {
        properties = RawProperties.copy(properties);
    }
}
