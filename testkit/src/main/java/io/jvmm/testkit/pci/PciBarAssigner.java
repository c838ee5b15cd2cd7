package io.jvmm.testkit.pci;

import java.util.ArrayList;
import java.util.List;

/**
 * Gives every BAR an address and opens bridge windows around what sits behind them, as firmware
 * would, with libqos's ranges: I/O from 0xc000, MMIO from 0xE0000000 (64-bit BARs get a 32-bit
 * address, upper dword 0). Then sets IO|MEM|MASTER in each command register. Bridges' windows are
 * aligned to their granularity (4 KiB I/O, 1 MiB memory); an empty window is closed (base > limit).
 */
public final class PciBarAssigner {
    public static final long IO_START = 0xc000, IO_END = 0x1_0000;
    public static final long MMIO_START = 0xE000_0000L, MMIO_END = 0x1_0000_0000L;
    public static final int CMD_IO = 1, CMD_MEMORY = 2, CMD_MASTER = 4;
    private static final int IO_BASE = 0x1c, IO_LIMIT = 0x1d, MEMORY_BASE = 0x20, MEMORY_LIMIT = 0x22;
    private static final int PREF_BASE = 0x24, PREF_LIMIT = 0x26, PREF_BASE_UPPER = 0x28, PREF_LIMIT_UPPER = 0x2c;

    private final PciConfig cfg;
    private long io = IO_START;
    private long mmio = MMIO_START;

    private PciBarAssigner(PciConfig cfg) {
        this.cfg = cfg;
    }

    /** Assigns everything in {@code functions} (from {@link PciEnumerator}); returns them with addresses. */
    public static List<PciFunctionInfo> assign(PciConfig cfg, List<PciFunctionInfo> functions) {
        PciBarAssigner a = new PciBarAssigner(cfg);
        List<PciFunctionInfo> out = new ArrayList<>(functions);
        a.assignBus(0, out);
        return out;
    }

    private void assignBus(int bus, List<PciFunctionInfo> all) {
        for (int i = 0; i < all.size(); i++) {
            PciFunctionInfo f = all.get(i);
            if (f.address().bus() != bus) {
                continue;
            }
            all.set(i, f.withBars(assignBars(f)));
            if (f.isBridge()) {
                assignBridge(f, all);
            }
            cfg.writeU16(f.address(), PciEnumerator.COMMAND,
                    cfg.readU16(f.address(), PciEnumerator.COMMAND) | CMD_IO | CMD_MEMORY | CMD_MASTER);
        }
    }

    private List<PciBarInfo> assignBars(PciFunctionInfo f) {
        List<PciBarInfo> bars = new ArrayList<>();
        for (PciBarInfo b : f.bars()) {
            int off = PciEnumerator.BAR0 + 4 * b.index();
            long addr;
            if (b.type() == PciBarInfo.Type.IO) {
                addr = align(io, b.size());
                if (addr + b.size() > IO_END) {
                    throw new IllegalStateException("I/O space exhausted at " + f.address() + " " + b);
                }
                io = addr + b.size();
                cfg.writeU32(f.address(), off, (int) addr);
            } else {
                addr = align(mmio, b.size());
                if (addr + b.size() > MMIO_END) {
                    throw new IllegalStateException("MMIO space exhausted at " + f.address() + " " + b);
                }
                mmio = addr + b.size();
                cfg.writeU32(f.address(), off, (int) addr);
                if (b.type() == PciBarInfo.Type.MEMORY64) {
                    cfg.writeU32(f.address(), off + 4, 0);
                }
            }
            bars.add(b.withAddress(addr));
        }
        return bars;
    }

    private void assignBridge(PciFunctionInfo bridge, List<PciFunctionInfo> all) {
        PciAddress a = bridge.address();
        io = align(io, 0x1000);
        mmio = align(mmio, 1 << 20);
        long ioBase = io;
        long memBase = mmio;
        assignBus(bridge.secondaryBus(), all);
        io = align(io, 0x1000);
        mmio = align(mmio, 1 << 20);
        if (io > ioBase) {
            cfg.writeU8(a, IO_BASE, (int) (ioBase >> 8) & 0xf0);
            cfg.writeU8(a, IO_LIMIT, (int) ((io - 1) >> 8) & 0xf0);
        } else {
            cfg.writeU8(a, IO_BASE, 0xf0);
            cfg.writeU8(a, IO_LIMIT, 0x00);
        }
        if (mmio > memBase) {
            cfg.writeU16(a, MEMORY_BASE, (int) (memBase >> 16) & 0xfff0);
            cfg.writeU16(a, MEMORY_LIMIT, (int) ((mmio - 1) >> 16) & 0xfff0);
        } else {
            cfg.writeU16(a, MEMORY_BASE, 0xfff0);
            cfg.writeU16(a, MEMORY_LIMIT, 0x0000);
        }
        // everything goes through the non-prefetchable window: close the prefetchable one
        cfg.writeU16(a, PREF_BASE, 0xfff0);
        cfg.writeU16(a, PREF_LIMIT, 0x0000);
        cfg.writeU32(a, PREF_BASE_UPPER, 0);
        cfg.writeU32(a, PREF_LIMIT_UPPER, 0);
    }

    private static long align(long v, long a) {
        return (v + a - 1) & -a;
    }
}
