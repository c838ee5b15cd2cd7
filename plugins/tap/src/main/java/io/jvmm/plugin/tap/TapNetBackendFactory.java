package io.jvmm.plugin.tap;

import io.jvmm.spi.config.Properties;
import io.jvmm.spi.config.PropertySpec;
import io.jvmm.spi.net.NetBackend;
import io.jvmm.spi.net.NetBackendContext;
import io.jvmm.spi.net.NetBackendFactory;
import java.util.List;

/** {@code -netdev tap,...} and YAML {@code type: tap}. */
public final class TapNetBackendFactory implements NetBackendFactory {

    @Override
    public String name() {
        return "tap";
    }

    @Override
    public String description() {
        return "Linux TAP device: multi-queue, vnet header and offloads, descriptors from the parent or from a "
                + "local migration";
    }

    @Override
    public List<PropertySpec> properties() {
        return TapConfig.properties();
    }

    @Override
    public NetBackend create(String id, Properties properties, NetBackendContext context) {
        return TapBackend.create(TapConfig.parse(id, properties, context.incomingMigration()));
    }
}
