package io.jvmm.machine.q35;

import io.jvmm.machine.q35.pci.PciConfigSpace;
import io.jvmm.machine.q35.pci.PciFunctionImpl;
import io.jvmm.spi.memory.IoHandler;
import io.jvmm.spi.pci.PciBarSpec;
import io.jvmm.spi.pci.PciCapabilitySpec;
import io.jvmm.spi.pci.PciDevice;
import io.jvmm.spi.pci.PciFunction;
import io.jvmm.spi.pci.PciIdentity;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A built-in ICH9 function whose configuration header jvmm presents as QEMU does, with chipset
 * registers that read and write back but drive nothing (see docs/conformance.md for which).
 */
final class ChipsetFunction implements PciDevice {
    private static final Logger LOG = LoggerFactory.getLogger(ChipsetFunction.class);

    private final String name;
    private final PciIdentity identity;
    private final List<PciBarSpec> bars;
    private final List<PciCapabilitySpec> capabilities;
    private final Consumer<PciConfigSpace> registers;

    ChipsetFunction(String name, PciIdentity identity, List<PciBarSpec> bars, List<PciCapabilitySpec> capabilities,
            Consumer<PciConfigSpace> registers) {
        this.name = name;
        this.identity = identity;
        this.bars = bars;
        this.capabilities = capabilities;
        this.registers = registers;
    }

    /** ICH9 LPC bridge 00:1f.0 (8086:2918): PMBASE, ACPI_CNTL, PIRQ routing, RCBA as registers only. */
    static ChipsetFunction lpc() {
        return new ChipsetFunction("ICH9-LPC", new PciIdentity(0x8086, 0x2918, 0, 0, 0x02, 0x060100, 0, 0),
                List.of(), List.of(), cfg -> {
                    cfg.set(0x40, 4, 0x0000_0001L); // PMBASE: I/O space indicator
                    cfg.setWmask(0x40, 4, 0x0000_ff86L);
                    cfg.set(0x60, 4, 0x8080_8080L); // PIRQA..D routing: disabled (IRQEN set)
                    cfg.set(0x68, 4, 0x8080_8080L); // PIRQE..H
                });
    }

    /**
     * ICH9 AHCI 00:1f.2 (8086:2922), header only: BAR4 (32-byte I/O) and BAR5 (ABAR, 4 KiB) decode
     * but read all-ones: jvmm has no disk controller, it keeps the function so the PCI topology a
     * guest enumerates is QEMU's.
     */
    static ChipsetFunction ahci() {
        IoHandler absent = absentRegisters("ich9-ahci");
        // MSI: 64-bit capable, one vector, no per-vector masking (QEMU's ahci msi_init)
        byte[] msi = new byte[12];
        msi[0] = (byte) 0x80;
        byte[] msiMask = {0x01, 0, (byte) 0xfc, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff,
            (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff};
        byte[] sata = {0x10, 0x00, 0x48, 0x00, 0x00, 0x00};
        return new ChipsetFunction("ich9-ahci", new PciIdentity(0x8086, 0x2922, 0, 0, 0x02, 0x010601, 0, 1),
                List.of(new PciBarSpec(4, PciBarSpec.Kind.IO, 32, false, absent),
                        new PciBarSpec(5, PciBarSpec.Kind.MEMORY32, 4096, false, absent)),
                List.of(new PciCapabilitySpec(0x05, 0x80, java.util.Arrays.copyOf(msi, 12), msiMask),
                        new PciCapabilitySpec(0x12, 0xa8, sata, null)),
                cfg -> {
                    cfg.set(0x90, 1, 0x40); // MAP: AHCI mode
                    // the two bytes after the 14-byte MSI capability stay device-specific and writable
                    cfg.setWmask(0x8e, 2, 0xffff);
                });
    }

    /** ICH9 SMBus 00:1f.3 (8086:2930), header only: BAR4 (64-byte I/O) reads all-ones. */
    static ChipsetFunction smbus() {
        return new ChipsetFunction("ICH9-SMB", new PciIdentity(0x8086, 0x2930, 0, 0, 0x02, 0x0c0500, 0, 1),
                List.of(new PciBarSpec(4, PciBarSpec.Kind.IO, 64, false, absentRegisters("ICH9-SMB"))),
                List.of(), cfg -> cfg.setWmask(0x40, 1, 0xf7));
    }

    private static IoHandler absentRegisters(String what) {
        return new IoHandler() {
            private boolean logged;

            @Override
            public long read(long offset, int size) {
                once(offset);
                return UNASSIGNED.read(offset, size);
            }

            @Override
            public void write(long offset, int size, long value) {
                once(offset);
            }

            private void once(long offset) {
                if (!logged) {
                    logged = true;
                    LOG.info("{}: registers are not emulated (access at BAR offset 0x{}); reads return all-ones",
                            what, Long.toHexString(offset));
                }
            }
        };
    }

    @Override
    public PciIdentity identity() {
        return identity;
    }

    @Override
    public List<PciBarSpec> bars() {
        return bars;
    }

    @Override
    public List<PciCapabilitySpec> capabilities() {
        return capabilities;
    }

    @Override
    public void realized(PciFunction function) {
        registers.accept(((PciFunctionImpl) function).config());
    }

    @Override
    public String toString() {
        return name;
    }
}
