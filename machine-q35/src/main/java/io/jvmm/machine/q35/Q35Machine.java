package io.jvmm.machine.q35;

import io.jvmm.machine.q35.fwcfg.FwCfg;
import io.jvmm.machine.q35.pci.PciBusImpl;
import io.jvmm.machine.q35.pci.PciConfigRouter;
import io.jvmm.machine.q35.pci.PciPlatform;
import io.jvmm.machine.q35.serial.CharBackends;
import io.jvmm.machine.q35.serial.Serial16550;
import io.jvmm.spi.machine.Machine;
import io.jvmm.spi.machine.MachineContext;
import io.jvmm.spi.vmstate.VmStateDescription;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The q35 board as QEMU builds it with {@code -nodefaults}: the PCIe root bus {@code pcie.0} with
 * the MCH at 00.0 and the ICH9 functions at 1f.0 (LPC), 1f.2 (AHCI, header only) and 1f.3 (SMBus,
 * header only); config access through 0xcf8/0xcfc and the ECAM window the MCH's PCIEXBAR places;
 * fw_cfg at 0x510; COM1 at 0x3f8 when a serial backend is configured.
 */
public final class Q35Machine implements Machine {
    private static final Logger LOG = LoggerFactory.getLogger(Q35Machine.class);
    public static final String ROOT_BUS = "pcie.0";
    public static final int LPC_DEVFN = 0x1f << 3, AHCI_DEVFN = LPC_DEVFN | 2, SMBUS_DEVFN = LPC_DEVFN | 3;
    /** RAM above this stays below 4 GiB only up to 2 GiB (QEMU pc_q35_init's lowmem split). */
    private static final long LOWMEM_SPLIT = 0xB000_0000L;

    private final PciBusImpl root;
    private final PciHostPorts hostPorts;
    private final PciExpressEcam ecam;
    private final FwCfg fwCfg;
    private final Serial16550 serial;

    Q35Machine(MachineContext ctx) {
        PciPlatform platform = PciPlatform.of(ctx);
        root = PciBusImpl.root(ROOT_BUS, platform);
        PciConfigRouter router = new PciConfigRouter(root);
        hostPorts = new PciHostPorts(router);
        ctx.ioPorts().map("pci-conf-idx", PciHostPorts.CONFIG_ADDRESS, 4, hostPorts.address);
        ctx.ioPorts().map("pci-conf-data", PciHostPorts.CONFIG_DATA, 4, hostPorts.data);
        ecam = new PciExpressEcam(router, ctx.systemMemory());
        ctx.registerPciBus(root);
        root.plug(new Mch(ecam), 0, "mch");
        root.plug(ChipsetFunction.lpc(), LPC_DEVFN, "ICH9-LPC");
        root.plug(ChipsetFunction.ahci(), AHCI_DEVFN, "ich9-ahci");
        root.plug(ChipsetFunction.smbus(), SMBUS_DEVFN, "ICH9-SMB");
        ctx.registerState("q35/pci-host", () -> hostState());

        long ram = ctx.memory().size();
        long low = ram >= LOWMEM_SPLIT ? 0x8000_0000L : Math.min(ram, LOWMEM_SPLIT);
        fwCfg = new FwCfg(ctx.memory(), ram, 1);
        fwCfg.addFile("etc/e820", FwCfg.e820(low, ram - low));
        ctx.ioPorts().map("fwcfg", FwCfg.PORT_SELECTOR, 2, fwCfg.ports);
        ctx.ioPorts().map("fwcfg.dma", FwCfg.PORT_DMA, 8, fwCfg.dma);
        ctx.registerState("fw_cfg", fwCfg);

        ctx.bios().ifPresent(file -> {
            BiosRom rom = BiosRom.load(file);
            ctx.systemMemory().map("pc.bios", rom.base(), rom.size(), rom);
        });

        Optional<String> serialSpec = ctx.serial().filter(s -> !s.equals("none"));
        if (serialSpec.isPresent()) {
            serial = new Serial16550(CharBackends.open(serialSpec.get()), ctx.interrupts().gsi(Serial16550.COM1_IRQ));
            ctx.ioPorts().map("serial", Serial16550.COM1_BASE, Serial16550.REGISTERS, serial);
            ctx.registerState("serial/0", serial);
            LOG.info("COM1 at 0x3f8, IRQ 4, backend {}", serial.backendDescription());
        } else {
            serial = null;
        }
    }

    private VmStateDescription hostState() {
        return new VmStateDescription("q35-pci-host", 1, 1,
                out -> out.u32("config_reg", hostPorts.configAddress() & 0xffff_ffffL),
                (in, version) -> hostPorts.restore((int) in.u32("config_reg")));
    }

    public PciBusImpl rootBus() {
        return root;
    }

    public FwCfg fwCfg() {
        return fwCfg;
    }

    public Optional<Serial16550> serial() {
        return Optional.ofNullable(serial);
    }

    boolean ecamEnabled() {
        return ecam.enabled();
    }

    @Override
    public Optional<String> defaultBus() {
        return Optional.of(ROOT_BUS);
    }

    @Override
    public void devicesCreated() {
        if (serial != null) {
            serial.start();
        }
    }

    @Override
    public void reset() {
        root.reset();
        fwCfg.reset();
        if (serial != null) {
            serial.reset();
        }
    }

    @Override
    public void close() {
        if (serial != null) {
            serial.close();
        }
    }
}
