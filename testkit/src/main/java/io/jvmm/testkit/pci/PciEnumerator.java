package io.jvmm.testkit.pci;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds every function as firmware does: scans bus 0, gives each PCI-to-PCI bridge the next bus
 * number (primary, secondary, subordinate) depth first, sizes BARs (all-ones write with decoding
 * off, then restored), and walks the capability lists. It assigns no addresses: that is
 * {@link PciBarAssigner}'s job.
 */
public final class PciEnumerator {
    public static final int VENDOR_ID = 0x00, DEVICE_ID = 0x02, COMMAND = 0x04, STATUS = 0x06, REVISION = 0x08;
    public static final int HEADER_TYPE = 0x0e, BAR0 = 0x10, SUBSYSTEM_VENDOR_ID = 0x2c, SUBSYSTEM_ID = 0x2e;
    public static final int CAPABILITY_LIST = 0x34, INTERRUPT_PIN = 0x3d;
    public static final int PRIMARY_BUS = 0x18, SECONDARY_BUS = 0x19, SUBORDINATE_BUS = 0x1a;
    public static final int STATUS_CAP_LIST = 0x10;

    private final PciConfig cfg;
    private int lastBus;

    private PciEnumerator(PciConfig cfg) {
        this.cfg = cfg;
    }

    public static List<PciFunctionInfo> enumerate(PciConfig cfg) {
        PciEnumerator e = new PciEnumerator(cfg);
        List<PciFunctionInfo> out = new ArrayList<>();
        e.scanBus(0, out);
        return out;
    }

    private void scanBus(int bus, List<PciFunctionInfo> out) {
        for (int dev = 0; dev < 32; dev++) {
            PciAddress f0 = new PciAddress(bus, dev, 0);
            if (cfg.readU16(f0, VENDOR_ID) == 0xffff) {
                continue;
            }
            boolean multi = (cfg.readU8(f0, HEADER_TYPE) & 0x80) != 0;
            for (int fn = 0; fn < (multi ? 8 : 1); fn++) {
                PciAddress a = new PciAddress(bus, dev, fn);
                if (cfg.readU16(a, VENDOR_ID) == 0xffff) {
                    continue;
                }
                probe(a, out);
            }
        }
    }

    private void probe(PciAddress a, List<PciFunctionInfo> out) {
        int header = cfg.readU8(a, HEADER_TYPE);
        boolean bridge = (header & 0x7f) == 1;
        int secondary = 0;
        int subordinate = 0;
        int index = out.size();
        out.add(null); // keep depth-first order: the bridge before what is behind it
        if (bridge) {
            secondary = ++lastBus;
            cfg.writeU8(a, PRIMARY_BUS, a.bus());
            cfg.writeU8(a, SECONDARY_BUS, secondary);
            cfg.writeU8(a, SUBORDINATE_BUS, 0xff); // route everything below while we scan
            scanBus(secondary, out);
            subordinate = lastBus;
            cfg.writeU8(a, SUBORDINATE_BUS, subordinate);
        }
        out.set(index, new PciFunctionInfo(a,
                cfg.readU16(a, VENDOR_ID), cfg.readU16(a, DEVICE_ID), cfg.readU8(a, REVISION),
                cfg.readU32(a, REVISION) >>> 8, header,
                bridge ? 0 : cfg.readU16(a, SUBSYSTEM_VENDOR_ID), bridge ? 0 : cfg.readU16(a, SUBSYSTEM_ID),
                cfg.readU8(a, INTERRUPT_PIN),
                sizeBars(a, bridge ? 2 : 6), capabilities(a), extendedCapabilities(a), secondary, subordinate));
    }

    /** Sizes BARs the standard way; decoding is disabled meanwhile so no half-written BAR decodes. */
    public List<PciBarInfo> sizeBars(PciAddress a, int count) {
        return sizeBars(cfg, a, count);
    }

    public static List<PciBarInfo> sizeBars(PciConfig cfg, PciAddress a, int count) {
        int cmd = cfg.readU16(a, COMMAND);
        cfg.writeU16(a, COMMAND, cmd & ~0x3);
        List<PciBarInfo> bars = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int off = BAR0 + 4 * i;
            int old = cfg.readU32(a, off);
            cfg.writeU32(a, off, 0xffff_ffff);
            int mask = cfg.readU32(a, off);
            cfg.writeU32(a, off, old);
            if (mask == 0) {
                continue;
            }
            if ((mask & 1) == 1) {
                long size = (~(mask & ~0x3L) + 1) & 0xffff;
                bars.add(new PciBarInfo(i, PciBarInfo.Type.IO, false, size, 0));
            } else if ((mask & 0x6) == 0x4 && i + 1 < count) {
                int oldHi = cfg.readU32(a, off + 4);
                cfg.writeU32(a, off + 4, 0xffff_ffff);
                int maskHi = cfg.readU32(a, off + 4);
                cfg.writeU32(a, off + 4, oldHi);
                long full = ((long) maskHi << 32) | (mask & 0xffff_fff0L);
                bars.add(new PciBarInfo(i, PciBarInfo.Type.MEMORY64, (mask & 8) != 0, ~full + 1, 0));
                i++;
            } else {
                long size = (~(mask & 0xffff_fff0L) + 1) & 0xffff_ffffL;
                bars.add(new PciBarInfo(i, PciBarInfo.Type.MEMORY32, (mask & 8) != 0, size, 0));
            }
        }
        cfg.writeU16(a, COMMAND, cmd);
        return bars;
    }

    /** Walks the list at 0x34; a loop or a pointer into the header ends the walk (a guest's caution). */
    public List<PciCapabilityInfo> capabilities(PciAddress a) {
        return capabilities(cfg, a);
    }

    public static List<PciCapabilityInfo> capabilities(PciConfig cfg, PciAddress a) {
        List<PciCapabilityInfo> caps = new ArrayList<>();
        if ((cfg.readU16(a, STATUS) & STATUS_CAP_LIST) == 0) {
            return caps;
        }
        int ptr = cfg.readU8(a, CAPABILITY_LIST) & 0xfc;
        while (ptr >= 0x40 && caps.size() < 48) {
            caps.add(new PciCapabilityInfo(cfg.readU8(a, ptr), ptr));
            ptr = cfg.readU8(a, ptr + 1) & 0xfc;
        }
        return caps;
    }

    /** Extended capabilities (PCIe, from 0x100), when the access method reaches them. */
    public List<PciCapabilityInfo> extendedCapabilities(PciAddress a) {
        return extendedCapabilities(cfg, a);
    }

    public static List<PciCapabilityInfo> extendedCapabilities(PciConfig cfg, PciAddress a) {
        List<PciCapabilityInfo> caps = new ArrayList<>();
        if (cfg.limit() <= 0x100) {
            return caps;
        }
        int off = 0x100;
        while (off >= 0x100 && caps.size() < 64) {
            int h = cfg.readU32(a, off);
            if (h == 0 || h == -1) {
                break;
            }
            caps.add(new PciCapabilityInfo(h & 0xffff, off));
            off = (h >>> 20) & 0xffc;
        }
        return caps;
    }
}
