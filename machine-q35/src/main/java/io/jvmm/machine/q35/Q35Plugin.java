package io.jvmm.machine.q35;

import io.jvmm.spi.VmmPlugin;
import io.jvmm.spi.device.DeviceFactory;
import io.jvmm.spi.machine.MachineType;
import java.util.List;
import org.pf4j.Extension;

/** The q35 machine plugin: versioned machine types and the pcie-pci-bridge device. */
@Extension
public final class Q35Plugin implements VmmPlugin {

    @Override
    public List<MachineType> machineTypes() {
        return List.copyOf(Q35MachineTypes.ALL);
    }

    @Override
    public List<DeviceFactory> deviceFactories() {
        return List.of(new PciePciBridgeFactory());
    }
}
