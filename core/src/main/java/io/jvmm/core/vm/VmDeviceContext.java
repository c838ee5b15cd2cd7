package io.jvmm.core.vm;

import io.jvmm.spi.device.DeviceContext;
import io.jvmm.spi.net.NetBackend;
import java.util.Map;
import java.util.Optional;

/** The host services plus one device's identity and its view of the netdevs. */
final class VmDeviceContext extends VmHostServices implements DeviceContext {
    private final String id;
    private final Map<String, NetBackend> netBackends;
    private final boolean incoming;

    VmDeviceContext(VmHostServices services, String id, Map<String, NetBackend> netBackends, boolean incoming) {
        super(services);
        this.id = id;
        this.netBackends = netBackends;
        this.incoming = incoming;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Optional<NetBackend> netBackend(String netdevId) {
        return Optional.ofNullable(netBackends.get(netdevId));
    }

    @Override
    public boolean incomingMigration() {
        return incoming;
    }
}
