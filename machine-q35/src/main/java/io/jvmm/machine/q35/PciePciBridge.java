package io.jvmm.machine.q35;

import io.jvmm.machine.q35.pci.PciBusImpl;
import io.jvmm.machine.q35.pci.PciConfigSpace;
import io.jvmm.machine.q35.pci.PciFunctionImpl;
import io.jvmm.spi.device.Device;
import io.jvmm.spi.pci.PciBarSpec;
import io.jvmm.spi.pci.PciCapabilitySpec;
import io.jvmm.spi.pci.PciDevice;
import io.jvmm.spi.pci.PciFunction;
import io.jvmm.spi.pci.PciIdentity;
import java.util.List;
import java.util.OptionalLong;

/**
 * {@code pcie-pci-bridge} (1b36:000e): a PCI Express to conventional PCI bridge whose secondary bus
 * takes the bridge's id ({@code bus=pci.1}). Its guest-visible layout is QEMU 7.2's, measured:
 * BAR0 64-bit 256 bytes (SHPC registers), capabilities MSI 0x8c, PM 0x84, PCIe 0x48 (PCIe-to-PCI
 * bridge, v2), SHPC 0x40, and AER at 0x100. The bus numbers and windows the guest programs decide
 * what reaches the devices behind it (see {@link PciFunctionImpl}).
 */
final class PciePciBridge implements PciDevice, Device {
    static final int VENDOR = 0x1b36, DEVICE = 0x000e;
    static final int SHPC_CAP = 0x40, PCIE_CAP = 0x48, PM_CAP = 0x84, MSI_CAP = 0x8c, AER_CAP = 0x100;
    private static final int BRIDGE_CTL_BUS_RESET = 0x40;

    private final String id;
    private final Shpc shpc = new Shpc();
    private PciFunctionImpl function;
    private PciBusImpl secondary;
    private boolean busResetAsserted;

    PciePciBridge(String id) {
        this.id = id;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public PciIdentity identity() {
        return new PciIdentity(VENDOR, DEVICE, 0, 0, 0, 0x060400, 1, 1);
    }

    @Override
    public List<PciBarSpec> bars() {
        return List.of(new PciBarSpec(0, PciBarSpec.Kind.MEMORY64, Shpc.SIZE, false, shpc));
    }

    @Override
    public List<PciCapabilitySpec> capabilities() {
        // list order as QEMU's: 0x8c -> 0x84 -> 0x48 -> 0x40
        byte[] msi = new byte[22]; // 64-bit, per-vector masking, 1 vector
        msi[0] = (byte) 0x80;
        msi[1] = 0x01;
        byte[] msiMask = new byte[22];
        msiMask[0] = 0x01;
        fill(msiMask, 2, 4, 0xff);
        msiMask[2] = (byte) 0xfc;
        fill(msiMask, 6, 4, 0xff);
        fill(msiMask, 10, 2, 0xff);
        msiMask[14] = 0x01; // mask bit of the one vector
        byte[] pm = {0x03, 0x00, 0x00, 0x00, 0x00, 0x00}; // PMC version 3, PMCSR read-only
        byte[] pcie = new byte[58];
        put(pcie, 0x02 - 2, 2, 0x0072); // capabilities: v2, PCIe-to-PCI bridge
        put(pcie, 0x04 - 2, 4, 0x0000_8000L); // device capabilities: role-based error reporting
        put(pcie, 0x0c - 2, 4, 0x0000_0411L); // link capabilities: 2.5 GT/s x1
        put(pcie, 0x12 - 2, 2, 0x0011); // link status: 2.5 GT/s x1
        put(pcie, 0x24 - 2, 4, 0x0030_0020L); // device capabilities 2: ARI forwarding, extended fmt, TLP prefix
        byte[] pcieMask = new byte[58];
        put(pcieMask, 0x08 - 2, 2, 0x000f); // device control: error reporting enables
        put(pcieMask, 0x28 - 2, 2, 0x8020); // device control 2: ARI forwarding, TLP prefix blocking
        byte[] shpcBody = new byte[6]; // DWORD select, pending, data (read through configRead)
        byte[] shpcMask = {(byte) 0xff, 0, 0, 0, 0, 0};
        return List.of(new PciCapabilitySpec(0x05, MSI_CAP, msi, msiMask),
                new PciCapabilitySpec(0x01, PM_CAP, pm, null),
                new PciCapabilitySpec(0x10, PCIE_CAP, pcie, pcieMask),
                new PciCapabilitySpec(0x0c, SHPC_CAP, shpcBody, shpcMask));
    }

    private static void fill(byte[] a, int off, int len, int v) {
        for (int i = 0; i < len; i++) {
            a[off + i] = (byte) v;
        }
    }

    private static void put(byte[] a, int off, int len, long v) {
        for (int i = 0; i < len; i++) {
            a[off + i] = (byte) (v >>> (8 * i));
        }
    }

    @Override
    public void realized(PciFunction f) {
        function = (PciFunctionImpl) f;
        PciConfigSpace cfg = function.config();
        // AER extended capability v2 at 0x100, values as QEMU's pcie_aer_init; read-only here
        cfg.set(AER_CAP, 4, 0x0002_0001L);
        cfg.set(AER_CAP + 0x0c, 4, 0x0046_2030L); // uncorrectable error severity
        cfg.set(AER_CAP + 0x14, 4, 0x0000_e000L); // correctable error mask
        cfg.set(AER_CAP + 0x18, 4, 0x0000_00a0L); // capabilities and control: ECRC capable
        cfg.setWmask(AER_CAP, 0x48, 0);
    }

    /** Creates the secondary bus once the bridge is plugged; named after the bridge's id. */
    PciBusImpl createSecondaryBus() {
        secondary = PciBusImpl.secondary(id, false, function);
        return secondary;
    }

    PciFunctionImpl function() {
        return function;
    }

    @Override
    public OptionalLong configRead(int offset, int size) {
        int data = SHPC_CAP + 4;
        if (offset >= data && offset + size <= data + 4) {
            int select = (int) function.config().get(SHPC_CAP + 2, 1);
            long dword = shpc.dword(select);
            long v = dword >>> (8 * (offset - data));
            return OptionalLong.of(size == 4 ? v & 0xffff_ffffL : v & ((1L << (8 * size)) - 1));
        }
        return OptionalLong.empty();
    }

    @Override
    public void configWritten(int offset, int size, long value) {
        int bctl = 0x3e;
        if (offset <= bctl && bctl < offset + size && secondary != null) {
            boolean reset = (function.config().get(bctl, 2) & BRIDGE_CTL_BUS_RESET) != 0;
            if (reset && !busResetAsserted) {
                secondary.reset(); // secondary bus reset: every function below returns to power-on state
            }
            busResetAsserted = reset;
        }
    }

    @Override
    public void reset() {
        busResetAsserted = false;
        if (secondary != null) {
            secondary.reset();
        }
    }
}
