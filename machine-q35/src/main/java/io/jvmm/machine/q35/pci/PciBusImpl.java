package io.jvmm.machine.q35.pci;

import io.jvmm.spi.config.ConfigException;
import io.jvmm.spi.pci.PciBus;
import io.jvmm.spi.pci.PciDevice;
import io.jvmm.spi.pci.PciFunction;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A PCI bus: 32 slots of 8 functions. The root bus ({@code pcie.0}) is bus 0; a bus behind a bridge
 * takes the bridge's secondary bus number, decodes only what the bridge's windows forward, and
 * swizzles its INTx pins onto the bridge's.
 */
public final class PciBusImpl implements PciBus {
    /** PIRQ A..H of the ICH9 reach the IOAPIC at GSI 16..23. */
    public static final int FIRST_PIRQ_GSI = 16;

    private final String id;
    private final boolean express;
    private final PciPlatform platform;
    private final PciFunctionImpl upstream;
    private final PciFunctionImpl[] functions = new PciFunctionImpl[256];
    /** Root bus only: how many asserted INTx inputs drive each PIRQ line (lines are shared, level-triggered). */
    private final int[] pirqCount = new int[8];

    private PciBusImpl(String id, boolean express, PciPlatform platform, PciFunctionImpl upstream) {
        this.id = id;
        this.express = express;
        this.platform = platform;
        this.upstream = upstream;
    }

    public static PciBusImpl root(String id, PciPlatform platform) {
        return new PciBusImpl(id, true, platform, null);
    }

    /** The secondary bus of {@code bridge}; its id is the bridge device's id. */
    public static PciBusImpl secondary(String id, boolean express, PciFunctionImpl bridge) {
        PciBusImpl bus = new PciBusImpl(id, express, bridge.platform(), bridge);
        bridge.attachSecondaryBus(bus);
        return bus;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public boolean isExpress() {
        return express;
    }

    public PciPlatform platform() {
        return platform;
    }

    public Optional<PciFunctionImpl> upstreamBridge() {
        return Optional.ofNullable(upstream);
    }

    /** The bus number a guest addresses this bus with: 0 for the root, else the bridge's secondary. */
    public int number() {
        return upstream == null ? 0 : upstream.secondaryBusNumber();
    }

    @Override
    public synchronized PciFunction plug(PciDevice device, int devfn) {
        return plugImpl(device, devfn, deviceName(device));
    }

    /** Plugs with a name used for regions and state ids (the device's id). */
    public synchronized PciFunctionImpl plug(PciDevice device, int devfn, String name) {
        return plugImpl(device, devfn, name);
    }

    private PciFunctionImpl plugImpl(PciDevice device, int devfn, String name) {
        if (devfn == -1) {
            devfn = firstFreeSlot();
        }
        if (devfn < 0 || devfn > 255) {
            throw new ConfigException("bus " + id + ": addr " + formatDevfn(devfn) + " is out of range (slots 0-31, functions 0-7)");
        }
        if (functions[devfn] != null) {
            throw new ConfigException("bus " + id + ": addr " + formatDevfn(devfn) + " is already in use by "
                    + functions[devfn].name());
        }
        PciFunctionImpl f = new PciFunctionImpl(this, devfn, device, name);
        functions[devfn] = f;
        // Every function of a slot with several reads multi-function in its header type, as QEMU's
        // ICH9 functions at 1f.x do (the bit is only required on function 0).
        int slotBase = devfn & ~7;
        int count = 0;
        for (int fn = 0; fn < 8; fn++) {
            count += functions[slotBase | fn] != null ? 1 : 0;
        }
        if (count > 1) {
            for (int fn = 0; fn < 8; fn++) {
                if (functions[slotBase | fn] != null) {
                    functions[slotBase | fn].markMultiFunction();
                }
            }
        }
        f.realize();
        return f;
    }

    private int firstFreeSlot() {
        for (int slot = 0; slot < 32; slot++) {
            boolean free = true;
            for (int fn = 0; fn < 8; fn++) {
                free &= functions[slot << 3 | fn] == null;
            }
            if (free) {
                return slot << 3;
            }
        }
        throw new ConfigException("bus " + id + " has no free slot left (32 slots in use)");
    }

    private static String deviceName(PciDevice device) {
        return String.format("%04x:%04x", device.identity().vendorId(), device.identity().deviceId());
    }

    public static String formatDevfn(int devfn) {
        return devfn < 0 || devfn > 255 ? Integer.toString(devfn) : String.format("%02x.%x", devfn >> 3, devfn & 7);
    }

    public synchronized Optional<PciFunctionImpl> function(int devfn) {
        return Optional.ofNullable(functions[devfn & 0xff]);
    }

    public synchronized List<PciFunctionImpl> functions() {
        List<PciFunctionImpl> l = new ArrayList<>();
        for (PciFunctionImpl f : functions) {
            if (f != null) {
                l.add(f);
            }
        }
        return l;
    }

    /**
     * Finds the function a configuration access for (bus, devfn) reaches, walking bridges whose
     * secondary..subordinate range covers the bus (type 1 transactions); empty reads all-ones.
     */
    public Optional<PciFunctionImpl> route(int busNumber, int devfn) {
        if (busNumber == number()) {
            return function(devfn);
        }
        for (PciFunctionImpl f : functions()) {
            Optional<PciBusImpl> sec = f.secondaryBus();
            if (sec.isPresent()) {
                int s = f.secondaryBusNumber();
                int sub = f.subordinateBusNumber();
                if (s != 0 && busNumber >= s && busNumber <= sub) {
                    return sec.get().route(busNumber, devfn);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Whether a BAR at {@code [addr, addr + size)} is reachable from the CPU: always on the root bus;
     * behind a bridge only if the bridge decodes that kind of space and a window covers the range.
     */
    boolean forwards(boolean io, long addr, long size) {
        if (upstream == null) {
            return true;
        }
        return upstream.bridgeForwards(io, addr, size) && upstream.bus().forwards(io, addr, size);
    }

    /** Re-evaluates every BAR on this bus and below (a bridge window or command bit changed). */
    void remapAll() {
        for (PciFunctionImpl f : functions()) {
            f.updateMappings();
        }
    }

    /**
     * An INTx input of the device in {@code slot} changed by {@code delta} (+1 asserted, -1
     * deasserted) on {@code pin} (0 = INTA#). Behind a bridge the pin is swizzled onto the bridge's
     * ((pin + slot) mod 4, the PCI-to-PCI bridge spec's table) and passed up; on the root bus the
     * ICH9's routing picks the PIRQ ({@link #rootPirq}).
     */
    synchronized void intx(int slot, int pin, int delta) {
        if (upstream != null) {
            upstream.bus().intx(upstream.devfn() >> 3, (pin + slot) & 3, delta);
            return;
        }
        int pirq = rootPirq(slot, pin);
        int before = pirqCount[pirq];
        pirqCount[pirq] = Math.max(0, before + delta);
        if ((before > 0) != (pirqCount[pirq] > 0)) {
            platform.interrupts().gsi(FIRST_PIRQ_GSI + pirq).setLevel(pirqCount[pirq] > 0);
        }
    }

    /**
     * The ICH9's default INTx routing on the root bus, as QEMU's q35 sets it up after reset: slots
     * 25..29 and 31 through their DnnIR registers (default 0x3210: INTA..D to PIRQ A..D), slot 30
     * to PIRQ E..H, every other slot swizzled onto PIRQ E..H ((slot + pin) mod 4 + 4), keeping A..D
     * for the chipset's own functions.
     */
    static int rootPirq(int slot, int pin) {
        if (slot == 30) {
            return pin + 4;
        }
        if (slot >= 25) {
            return pin;
        }
        return (slot + pin) % 4 + 4;
    }

    /** The GSI a device's INTx pin reaches (for tests and docs). */
    public int gsiFor(int devfn, int pin) {
        int slot = devfn >> 3;
        if (upstream == null) {
            return FIRST_PIRQ_GSI + rootPirq(slot, pin);
        }
        return upstream.bus().gsiFor(upstream.devfn(), (pin + slot) & 3);
    }

    /** System reset: every function goes back to its power-on state. */
    public void reset() {
        for (PciFunctionImpl f : functions()) {
            f.reset();
        }
    }

    @Override
    public String toString() {
        return "PCI bus " + id;
    }
}
