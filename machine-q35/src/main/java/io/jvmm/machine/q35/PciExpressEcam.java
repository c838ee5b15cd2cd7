package io.jvmm.machine.q35;

import io.jvmm.machine.q35.pci.PciConfigRouter;
import io.jvmm.spi.memory.AddressSpace;
import io.jvmm.spi.memory.IoHandler;

/**
 * The enhanced configuration access window (ECAM/MMCONFIG): bus << 20 | devfn << 12 | register.
 * Placed and enabled by the MCH's PCIEXBAR register, as on real q35 where firmware programs it.
 * 8-byte accesses are split into two dwords (config space has no 64-bit registers).
 */
final class PciExpressEcam implements IoHandler {
    private final PciConfigRouter router;
    private final AddressSpace systemMemory;
    private AddressSpace.Region region;
    private long size;

    PciExpressEcam(PciConfigRouter router, AddressSpace systemMemory) {
        this.router = router;
        this.systemMemory = systemMemory;
    }

    /** Applies a PCIEXBAR value: base (bits 35:26), length (bits 2:1: 256, 128 or 64 buses), enable (bit 0). */
    void update(long pciexbar) {
        boolean enabled = (pciexbar & 1) != 0;
        long length = switch ((int) (pciexbar >>> 1) & 3) {
            case 0 -> 256L << 20;
            case 1 -> 128L << 20;
            case 2 -> 64L << 20;
            default -> 0; // reserved encoding: decodes nothing (QEMU does the same)
        };
        long base = pciexbar & 0xf_fc00_0000L & ~(length == 0 ? 0 : length - 1);
        if (region != null && (!enabled || length == 0 || length != size)) {
            region.unmap();
            region = null;
        }
        if (!enabled || length == 0) {
            return;
        }
        if (region == null) {
            region = systemMemory.map("pcie-mmcfg", base, length, this);
            size = length;
        } else if (region.base() != base) {
            region.move(base);
        }
    }

    boolean enabled() {
        return region != null;
    }

    long base() {
        return region == null ? -1 : region.base();
    }

    @Override
    public long read(long offset, int width) {
        if (width == 8) {
            return (read(offset, 4) & 0xffff_ffffL) | read(offset + 4, 4) << 32;
        }
        int bus = (int) (offset >>> 20) & 0xff;
        int devfn = (int) (offset >>> 12) & 0xff;
        int reg = (int) offset & 0xfff;
        if (reg + width > 0x1000) {
            return (1L << (8 * width)) - 1;
        }
        return router.read(bus, devfn, reg, width);
    }

    @Override
    public void write(long offset, int width, long value) {
        if (width == 8) {
            write(offset, 4, value & 0xffff_ffffL);
            write(offset + 4, 4, value >>> 32);
            return;
        }
        int bus = (int) (offset >>> 20) & 0xff;
        int devfn = (int) (offset >>> 12) & 0xff;
        int reg = (int) offset & 0xfff;
        if (reg + width > 0x1000) {
            return;
        }
        router.write(bus, devfn, reg, width, value);
    }
}
