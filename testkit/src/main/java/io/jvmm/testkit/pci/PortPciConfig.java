package io.jvmm.testkit.pci;

import io.jvmm.testkit.QtestClient;

/**
 * Configuration mechanism #1, as libqos does it on x86: the dword address goes to 0xcf8 (enable bit
 * 31, bus, devfn, register & 0xfc), the data is accessed at 0xcfc + (offset & 3) with the access's
 * own width, so byte and word accesses select their lanes.
 */
public final class PortPciConfig implements PciConfig {
    public static final int CONFIG_ADDRESS = 0xcf8;
    public static final int CONFIG_DATA = 0xcfc;

    private final QtestClient qtest;

    public PortPciConfig(QtestClient qtest) {
        this.qtest = qtest;
    }

    private void select(PciAddress a, int offset) {
        if (offset < 0 || offset > 0xff) {
            throw new IllegalArgumentException("offset 0x" + Integer.toHexString(offset) + " is not reachable through 0xcf8");
        }
        qtest.outl(CONFIG_ADDRESS, 0x8000_0000 | a.bus() << 16 | a.devfn() << 8 | (offset & 0xfc));
    }

    @Override
    public int read(PciAddress a, int offset, int size) {
        select(a, offset);
        int port = CONFIG_DATA + (offset & 3);
        return switch (size) {
            case 1 -> qtest.inb(port);
            case 2 -> qtest.inw(port);
            case 4 -> qtest.inl(port);
            default -> throw new IllegalArgumentException("size " + size);
        };
    }

    @Override
    public void write(PciAddress a, int offset, int size, int value) {
        select(a, offset);
        int port = CONFIG_DATA + (offset & 3);
        switch (size) {
            case 1 -> qtest.outb(port, value);
            case 2 -> qtest.outw(port, value);
            case 4 -> qtest.outl(port, value);
            default -> throw new IllegalArgumentException("size " + size);
        }
    }

    @Override
    public int limit() {
        return 256;
    }
}
