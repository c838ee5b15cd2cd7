package io.jvmm.machine.q35;

import io.jvmm.machine.q35.pci.PciBusImpl;
import io.jvmm.spi.config.ConfigException;
import io.jvmm.spi.config.Properties;
import io.jvmm.spi.config.PropertySpec;
import io.jvmm.spi.device.Device;
import io.jvmm.spi.device.DeviceContext;
import io.jvmm.spi.device.DeviceFactory;
import io.jvmm.spi.pci.PciBus;
import java.util.List;

/** {@code -device pcie-pci-bridge,id=pci.1,bus=pcie.0[,addr=SLOT[.FN]]}. */
public final class PciePciBridgeFactory implements DeviceFactory {

    @Override
    public String name() {
        return "pcie-pci-bridge";
    }

    @Override
    public String description() {
        return "PCIe to conventional PCI bridge (1b36:000e); its secondary bus is named after its id";
    }

    @Override
    public List<PropertySpec> properties() {
        return List.of(
                PropertySpec.string("bus", null, "the PCIe bus to plug into (default: the machine's, pcie.0)"),
                PropertySpec.string("addr", null, "slot[.function] in hex, e.g. 3 or 1f.0 (default: first free slot)"));
    }

    @Override
    public Device create(DeviceContext context, Properties properties) {
        String busId = properties.optionalString("bus").orElse(Q35Machine.ROOT_BUS);
        PciBus bus = context.pciBus(busId)
                .orElseThrow(() -> new ConfigException("bus '" + busId + "' does not exist"));
        if (!(bus instanceof PciBusImpl pciBus)) {
            throw new ConfigException("bus '" + busId + "' is not a q35 PCI bus; pcie-pci-bridge plugs into q35 buses only");
        }
        if (!bus.isExpress()) {
            throw new ConfigException("pcie-pci-bridge is a PCI Express device: bus '" + busId
                    + "' is conventional PCI (plug it into pcie.0)");
        }
        int devfn = PciAddr.parse(properties.optionalString("addr").orElse(null));
        PciePciBridge bridge = new PciePciBridge(context.id());
        pciBus.plug(bridge, devfn, context.id());
        context.registerPciBus(bridge.createSecondaryBus());
        return bridge;
    }
}
