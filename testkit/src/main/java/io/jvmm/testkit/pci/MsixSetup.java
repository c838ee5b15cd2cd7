package io.jvmm.testkit.pci;

import io.jvmm.testkit.QtestClient;

/**
 * Programs a function's MSI-X table as a guest driver does: locates the table and PBA through the
 * capability (BIR + offset) and the assigned BARs, writes each vector's address/data, unmasks it, and
 * sets MSI-X Enable. Under qtest the message address is usually guest RAM the test polls: the VMM
 * delivers an MSI as a 32-bit write of the data to the address.
 */
public final class MsixSetup {
    public static final int CAP_ID = 0x11;
    public static final int ENTRY_SIZE = 16;
    public static final int CTRL_ENABLE = 0x8000, CTRL_FUNCTION_MASK = 0x4000;

    private final PciConfig cfg;
    private final QtestClient qtest;
    private final PciFunctionInfo function;
    private final int capOffset;
    private final int tableSize;
    private final long tableAddress;
    private final long pbaAddress;

    public MsixSetup(PciConfig cfg, QtestClient qtest, PciFunctionInfo function) {
        this.cfg = cfg;
        this.qtest = qtest;
        this.function = function;
        this.capOffset = function.capability(CAP_ID)
                .orElseThrow(() -> new IllegalStateException(function.address() + " has no MSI-X capability"))
                .offset();
        PciAddress a = function.address();
        this.tableSize = (cfg.readU16(a, capOffset + 2) & 0x7ff) + 1;
        int table = cfg.readU32(a, capOffset + 4);
        int pba = cfg.readU32(a, capOffset + 8);
        this.tableAddress = barAddress(table & 7) + (table & ~7L & 0xffff_ffffL);
        this.pbaAddress = barAddress(pba & 7) + (pba & ~7L & 0xffff_ffffL);
    }

    private long barAddress(int bir) {
        PciBarInfo bar = function.bar(bir)
                .orElseThrow(() -> new IllegalStateException(function.address() + ": MSI-X names BAR " + bir + " which does not exist"));
        if (bar.address() == 0) {
            throw new IllegalStateException(function.address() + ": BAR " + bir + " is not assigned (run PciBarAssigner first)");
        }
        return bar.address();
    }

    public int tableSize() {
        return tableSize;
    }

    public long tableAddress() {
        return tableAddress;
    }

    public long pbaAddress() {
        return pbaAddress;
    }

    public int capabilityOffset() {
        return capOffset;
    }

    /** Writes vector {@code v}'s message and unmasks it. */
    public void setVector(int v, long address, int data) {
        long e = entry(v);
        qtest.writel(e, (int) address);
        qtest.writel(e + 4, (int) (address >>> 32));
        qtest.writel(e + 8, data);
        qtest.writel(e + 12, 0);
    }

    public void maskVector(int v, boolean masked) {
        qtest.writel(entry(v) + 12, masked ? 1 : 0);
    }

    public boolean pending(int v) {
        return (qtest.readl(pbaAddress + (v / 32) * 4L) & (1 << (v % 32))) != 0;
    }

    public void enable(boolean on) {
        int ctrl = cfg.readU16(function.address(), capOffset + 2);
        ctrl = on ? ctrl | CTRL_ENABLE : ctrl & ~CTRL_ENABLE;
        cfg.writeU16(function.address(), capOffset + 2, ctrl);
    }

    public void functionMask(boolean on) {
        int ctrl = cfg.readU16(function.address(), capOffset + 2);
        ctrl = on ? ctrl | CTRL_FUNCTION_MASK : ctrl & ~CTRL_FUNCTION_MASK;
        cfg.writeU16(function.address(), capOffset + 2, ctrl);
    }

    private long entry(int v) {
        if (v < 0 || v >= tableSize) {
            throw new IllegalArgumentException("vector " + v + " outside 0.." + (tableSize - 1));
        }
        return tableAddress + (long) v * ENTRY_SIZE;
    }
}
