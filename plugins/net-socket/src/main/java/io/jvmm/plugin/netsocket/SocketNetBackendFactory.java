package io.jvmm.plugin.netsocket;

import io.jvmm.spi.config.Properties;
import io.jvmm.spi.config.PropertySpec;
import io.jvmm.spi.net.NetBackend;
import io.jvmm.spi.net.NetBackendContext;
import io.jvmm.spi.net.NetBackendFactory;
import java.util.List;

/** {@code -netdev socket,id=ID,listen=|connect=|fd=}: QEMU's stream socket netdev. */
public final class SocketNetBackendFactory implements NetBackendFactory {

    @Override
    public String name() {
        return "socket";
    }

    @Override
    public String description() {
        return "frames with a 4-byte big-endian length over a TCP or UNIX stream (QEMU's -netdev socket)";
    }

    @Override
    public List<PropertySpec> properties() {
        return List.of(
                PropertySpec.string("listen", null, "[host]:port or unix:PATH to wait for the peer on"),
                PropertySpec.string("connect", null, "host:port or unix:PATH of a peer that listens"),
                PropertySpec.integer("fd", null, "an already connected stream socket inherited from the parent"),
                PropertySpec.string("mcast", null, "not supported (datagram)"),
                PropertySpec.string("udp", null, "not supported (datagram)"),
                PropertySpec.string("localaddr", null, "not supported (datagram)"));
    }

    @Override
    public NetBackend create(String id, Properties properties, NetBackendContext context) {
        return SocketNetBackend.open(id, SocketNetConfig.from(properties));
    }
}
