package io.jvmm.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.testkit.mem.SharedFileGuestRam;
import io.jvmm.testkit.pci.EcamPciConfig;
import io.jvmm.testkit.pci.MsixSetup;
import io.jvmm.testkit.pci.PciAddress;
import io.jvmm.testkit.pci.PciBarAssigner;
import io.jvmm.testkit.pci.PciBarInfo;
import io.jvmm.testkit.pci.PciEnumerator;
import io.jvmm.testkit.pci.PciFunctionInfo;
import io.jvmm.testkit.pci.PortPciConfig;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The testkit against the reference: QEMU 7.2's q35. Checks the drivers themselves (enumeration
 * behind a bridge, BAR assignment, MSI-X table programming, fw_cfg, shared RAM) on a machine whose
 * behaviour is known.
 */
@Timeout(60)
class QemuQ35Test {

    @BeforeAll
    static void needsQemu() {
        Requirements.requireQemu();
    }

    @Test
    void enumeratesBehindThePciePciBridgeAndAssignsBars() throws Exception {
        try (QtestVm vm = VmLauncher.qemu()
                .args("-device", "pcie-pci-bridge,id=pci.1,bus=pcie.0", "-device", "virtio-rng-pci,bus=pci.1,addr=3")
                .start()) {
            assertEquals("little", vm.qtest().endianness());
            PortPciConfig cfg = new PortPciConfig(vm.qtest());
            List<PciFunctionInfo> fns = PciEnumerator.enumerate(cfg);
            PciFunctionInfo mch = fns.get(0);
            assertEquals(new PciAddress(0, 0, 0), mch.address());
            assertEquals(0x8086, mch.vendorId());
            assertEquals(0x29c0, mch.deviceId());
            PciFunctionInfo bridge = find(fns, 0x1b36, 0x000e);
            assertEquals(1, bridge.secondaryBus());
            assertEquals(1, bridge.subordinateBus());
            PciFunctionInfo rng = find(fns, 0x1af4, 0x1005);
            assertEquals(new PciAddress(1, 3, 0), rng.address(), "virtio-rng sits at addr=3 on the bridge's bus");

            List<PciFunctionInfo> assigned = PciBarAssigner.assign(cfg, fns);
            PciFunctionInfo rngA = find(assigned, 0x1af4, 0x1005);
            for (PciBarInfo b : rngA.bars()) {
                assertTrue(b.address() != 0, "assigned " + b);
                if (b.type() == PciBarInfo.Type.IO) {
                    assertTrue(b.address() >= PciBarAssigner.IO_START);
                } else {
                    assertTrue(b.address() >= PciBarAssigner.MMIO_START);
                }
            }
            // the command register reads back what a driver set
            assertEquals(7, cfg.readU16(rngA.address(), PciEnumerator.COMMAND) & 7);
            // MSI-X table of a device behind the bridge is reachable through the bridge's window
            MsixSetup msix = new MsixSetup(cfg, vm.qtest(), rngA);
            msix.setVector(0, 0x20_0000, 0x1234);
            assertEquals(0x20_0000, vm.qtest().readl(msix.tableAddress()));
            assertEquals(0x1234, vm.qtest().readl(msix.tableAddress() + 8));
            assertEquals(0, vm.qtest().readl(msix.tableAddress() + 12), "unmasked");
            msix.enable(true);
            assertEquals(MsixSetup.CTRL_ENABLE, cfg.readU16(rngA.address(), msix.capabilityOffset() + 2) & MsixSetup.CTRL_ENABLE);
        }
    }

    @Test
    void ecamReachesTheSameConfigSpaceAndExtendedCapabilities() throws Exception {
        try (QtestVm vm = VmLauncher.qemu().args("-device", "pcie-pci-bridge,id=pci.1,bus=pcie.0").start()) {
            PortPciConfig ports = new PortPciConfig(vm.qtest());
            EcamPciConfig ecam = EcamPciConfig.enableQ35(vm.qtest());
            PciAddress bridge = new PciAddress(0, 1, 0);
            assertEquals(ports.readU32(bridge, 0), ecam.readU32(bridge, 0));
            assertEquals(ports.readU16(bridge, 0x3c), ecam.readU16(bridge, 0x3c));
            ecam.writeU8(bridge, PciEnumerator.SECONDARY_BUS, 5);
            assertEquals(5, ports.readU8(bridge, PciEnumerator.SECONDARY_BUS));
            assertEquals(List.of(new io.jvmm.testkit.pci.PciCapabilityInfo(1, 0x100)),
                    new PciEnumeratorAccess(ecam).ext(bridge), "AER at 0x100");
        }
    }

    @Test
    void fwCfgAndSharedRam() throws Exception {
        try (QtestVm vm = VmLauncher.qemu().memory("64M").sharedMemory(true).start()) {
            FwCfg fw = new FwCfg(vm.qtest());
            assertEquals("QEMU", fw.signature());
            assertEquals(64L << 20, fw.ramSize());
            assertTrue(fw.files().containsKey("etc/e820"), "QEMU lists etc/e820: " + fw.files().keySet());
            SharedFileGuestRam ram = vm.sharedRam().orElseThrow();
            ram.writeU32(0x10_0000, 0xcafef00d);
            assertEquals(0xcafef00d, vm.qtest().readl(0x10_0000), "a store through the file is what the VMM sees");
            vm.qtest().write(0x10_0010, new byte[] {1, 2, 3});
            assertArrayEquals(new byte[] {1, 2, 3}, ram.read(0x10_0010, 3));
        }
    }

    private static PciFunctionInfo find(List<PciFunctionInfo> fns, int vendor, int device) {
        return fns.stream().filter(f -> f.vendorId() == vendor && f.deviceId() == device).findFirst()
                .orElseThrow(() -> new AssertionError(String.format("no %04x:%04x in %s", vendor, device, fns)));
    }

    /** Small adapter so the test reads extended capabilities of one function. */
    private record PciEnumeratorAccess(EcamPciConfig cfg) {
        List<io.jvmm.testkit.pci.PciCapabilityInfo> ext(PciAddress a) {
            return PciEnumerator.extendedCapabilities(cfg, a);
        }
    }
}
