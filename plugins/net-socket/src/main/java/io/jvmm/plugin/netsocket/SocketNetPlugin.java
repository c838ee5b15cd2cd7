package io.jvmm.plugin.netsocket;

import io.jvmm.spi.VmmPlugin;
import io.jvmm.spi.net.NetBackendFactory;
import java.util.List;
import org.pf4j.Extension;

/** Contributes the {@code socket} netdev. */
@Extension
public final class SocketNetPlugin implements VmmPlugin {
    @Override
    public List<NetBackendFactory> netBackendFactories() {
        return List.of(new SocketNetBackendFactory());
    }
}
