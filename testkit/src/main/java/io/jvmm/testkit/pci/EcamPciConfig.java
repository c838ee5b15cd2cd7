package io.jvmm.testkit.pci;

import io.jvmm.testkit.QtestClient;

/**
 * PCI Express enhanced configuration access (ECAM/MMCONFIG): config space of bus B, devfn F at
 * {@code base + (B << 20 | F << 12 | offset)}. On q35 the window exists only once the MCH's PCIEXBAR
 * register (0x60) is enabled, which firmware does; {@link #enableQ35} does it the same way.
 */
public final class EcamPciConfig implements PciConfig {
    public static final long Q35_BASE = 0xB000_0000L;
    /** MCH PCIEXBAR: base | length (bits 2:1, 00 = 256 buses) | enable (bit 0). */
    public static final int MCH_PCIEXBAR = 0x60;

    private final QtestClient qtest;
    private final long base;

    public EcamPciConfig(QtestClient qtest, long base) {
        this.qtest = qtest;
        this.base = base;
    }

    /** Programs the MCH (00:00.0) to decode a 256 MiB ECAM window at 0xB0000000. */
    public static EcamPciConfig enableQ35(QtestClient qtest) {
        PortPciConfig ports = new PortPciConfig(qtest);
        PciAddress mch = new PciAddress(0, 0, 0);
        ports.writeU32(mch, MCH_PCIEXBAR + 4, 0);
        ports.writeU32(mch, MCH_PCIEXBAR, (int) Q35_BASE | 1);
        return new EcamPciConfig(qtest, Q35_BASE);
    }

    private long addr(PciAddress a, int offset) {
        if (offset < 0 || offset > 0xfff) {
            throw new IllegalArgumentException("offset 0x" + Integer.toHexString(offset));
        }
        return base + ((long) a.bus() << 20 | (long) a.devfn() << 12 | offset);
    }

    @Override
    public int read(PciAddress a, int offset, int size) {
        long addr = addr(a, offset);
        return switch (size) {
            case 1 -> qtest.readb(addr);
            case 2 -> qtest.readw(addr);
            case 4 -> qtest.readl(addr);
            default -> throw new IllegalArgumentException("size " + size);
        };
    }

    @Override
    public void write(PciAddress a, int offset, int size, int value) {
        long addr = addr(a, offset);
        switch (size) {
            case 1 -> qtest.writeb(addr, value);
            case 2 -> qtest.writew(addr, value);
            case 4 -> qtest.writel(addr, value);
            default -> throw new IllegalArgumentException("size " + size);
        }
    }

    @Override
    public int limit() {
        return 4096;
    }
}
