package io.jvmm.plugin.tap;

import io.jvmm.spi.VmmPlugin;
import io.jvmm.spi.net.NetBackendFactory;
import java.util.List;
import org.pf4j.Extension;

/** The tap plugin's entry point: contributes the {@code tap} netdev. */
@Extension
public final class TapPlugin implements VmmPlugin {

    @Override
    public List<NetBackendFactory> netBackendFactories() {
        return List.of(new TapNetBackendFactory());
    }
}
