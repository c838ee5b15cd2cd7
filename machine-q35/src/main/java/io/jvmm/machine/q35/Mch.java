package io.jvmm.machine.q35;

import io.jvmm.machine.q35.pci.PciConfigSpace;
import io.jvmm.machine.q35.pci.PciFunctionImpl;
import io.jvmm.spi.pci.PciDevice;
import io.jvmm.spi.pci.PciFunction;
import io.jvmm.spi.pci.PciIdentity;

/**
 * The Q35 memory controller hub, host bridge at 00:00.0 (8086:29c0). Of its chipset registers jvmm
 * implements PCIEXBAR (0x60, places the ECAM window); the others QEMU exposes (GGC 0x50, PAM
 * 0x90..0x96, SMRAM 0x9d, ESMRAMC 0x9e) read and write back as in QEMU but switch nothing, since
 * jvmm has no legacy VGA/BIOS shadowing or SMM to switch.
 */
final class Mch implements PciDevice, PciFunctionImpl.ConfigLoaded {
    static final int VENDOR = 0x8086, DEVICE = 0x29c0;
    static final int GGC = 0x50, PCIEXBAR = 0x60, PAM0 = 0x90, SMRAM = 0x9d, ESMRAMC = 0x9e;
    /** Reset value of PCIEXBAR: base 0xB0000000, 256 buses, not enabled (firmware enables it). */
    static final long PCIEXBAR_DEFAULT = 0xB000_0000L;

    private final PciExpressEcam ecam;
    private PciConfigSpace cfg;

    Mch(PciExpressEcam ecam) {
        this.ecam = ecam;
    }

    @Override
    public PciIdentity identity() {
        return new PciIdentity(VENDOR, DEVICE, 0, 0, 0, 0x060000, 0, 0);
    }

    @Override
    public void realized(PciFunction function) {
        cfg = ((PciFunctionImpl) function).config();
        cfg.set(GGC, 2, 0x0010);
        // write masks measured on QEMU 7.2 (all other device-specific bytes are writable)
        cfg.setWmask(GGC, 2, 0);
        cfg.set(PCIEXBAR, 8, PCIEXBAR_DEFAULT);
        cfg.setWmask(SMRAM - 1, 1, 0x01);
        cfg.set(SMRAM, 1, 0x02);
        cfg.setWmask(SMRAM, 1, 0x38);
        cfg.set(ESMRAMC, 1, 0x38);
        cfg.setWmask(ESMRAMC, 1, 0x87);
    }

    @Override
    public void configWritten(int offset, int size, long value) {
        if (offset < PCIEXBAR + 8 && PCIEXBAR < offset + size) {
            ecam.update(cfg.get(PCIEXBAR, 8));
        }
    }

    @Override
    public void configLoaded() {
        ecam.update(cfg.get(PCIEXBAR, 8));
    }

    @Override
    public void reset() {
        ecam.update(PCIEXBAR_DEFAULT);
    }
}
