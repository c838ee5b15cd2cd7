package io.jvmm.plugin.virtio;

import io.jvmm.plugin.virtio.net.VirtioNetPciFactory;
import io.jvmm.spi.VmmPlugin;
import io.jvmm.spi.device.DeviceFactory;
import java.util.List;
import org.pf4j.Extension;

/** The virtio-net plugin: contributes the {@code virtio-net-pci} device. */
@Extension
public final class VirtioNetPlugin implements VmmPlugin {

    /** One factory per plugin instance: it counts NICs for QEMU's default MACs. */
    private final VirtioNetPciFactory factory = new VirtioNetPciFactory();

    @Override
    public List<DeviceFactory> deviceFactories() {
        return List.of(factory);
    }
}
