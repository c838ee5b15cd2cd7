package io.jvmm.machine.q35;

import io.jvmm.machine.q35.pci.PciConfigRouter;
import io.jvmm.spi.memory.IoHandler;

/**
 * Configuration mechanism #1: CONFIG_ADDRESS at 0xcf8 (a dword: enable bit 31, bus, devfn,
 * register) and CONFIG_DATA at 0xcfc..0xcff, where a byte or word access at 0xcfc + n reaches
 * register + n. Only dword writes load CONFIG_ADDRESS, as on QEMU's pci_host (other widths at 0xcf8
 * belong to other chipset registers).
 */
final class PciHostPorts {
    static final int CONFIG_ADDRESS = 0xcf8;
    static final int CONFIG_DATA = 0xcfc;

    private final PciConfigRouter router;
    private int configAddress;

    PciHostPorts(PciConfigRouter router) {
        this.router = router;
    }

    final IoHandler address = new IoHandler() {
        @Override
        public long read(long offset, int size) {
            long v = (configAddress & 0xffff_ffffL) >>> (8 * offset);
            return size >= 4 ? v : v & ((1L << (8 * size)) - 1);
        }

        @Override
        public void write(long offset, int size, long value) {
            if (offset == 0 && size == 4) {
                configAddress = (int) value;
            }
        }
    };

    final IoHandler data = new IoHandler() {
        @Override
        public long read(long offset, int size) {
            if (configAddress >= 0 || offset + size > 4) {
                return size == 4 ? 0xffff_ffffL : (1L << (8 * size)) - 1;
            }
            return router.read(bus(), devfn(), register() + (int) offset, size);
        }

        @Override
        public void write(long offset, int size, long value) {
            if (configAddress >= 0 || offset + size > 4) {
                return;
            }
            router.write(bus(), devfn(), register() + (int) offset, size, value & ((1L << (8 * size)) - 1));
        }
    };

    private int bus() {
        return (configAddress >>> 16) & 0xff;
    }

    private int devfn() {
        return (configAddress >>> 8) & 0xff;
    }

    private int register() {
        return configAddress & 0xfc;
    }

    int configAddress() {
        return configAddress;
    }

    void restore(int value) {
        configAddress = value;
    }
}
