package io.jvmm.core.irq;

import io.jvmm.spi.irq.InterruptRouting;
import io.jvmm.spi.irq.IrqLine;
import io.jvmm.spi.memory.AddressSpace;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

/**
 * Routes device interrupts. GSI lines keep their level and tell listeners about changes (qtest's
 * irq_intercept, later the KVM irqchip); an MSI is a 32-bit write of the data to the address in
 * system memory, exactly as the bus would perform it.
 */
public final class InterruptRouter implements InterruptRouting {
    /** The IOAPIC of q35 has 24 pins; allow more for other boards, but bound it. */
    public static final int MAX_GSI = 256;

    private final AddressSpace systemMemory;
    private final ConcurrentHashMap<Integer, Line> lines = new ConcurrentHashMap<>();
    private final List<BiConsumer<Integer, Boolean>> listeners = new CopyOnWriteArrayList<>();

    /** The IOAPIC pins of q35 and the PC: their lines exist from the start. */
    private static final int IOAPIC_PINS = 24;

    public InterruptRouter(AddressSpace systemMemory) {
        this.systemMemory = systemMemory;
        // Up front, not on first use: the first use can be inside a migration's switchover (a PCI
        // function whose INTx was asserted on the source asserts it again when its state loads), and
        // creating the first line loads and links classes there.
        for (int gsi = 0; gsi < IOAPIC_PINS; gsi++) {
            gsi(gsi);
        }
    }

    @Override
    public IrqLine gsi(int gsi) {
        if (gsi < 0 || gsi >= MAX_GSI) {
            throw new IllegalArgumentException("GSI " + gsi + " out of range 0.." + (MAX_GSI - 1));
        }
        return lines.computeIfAbsent(gsi, Line::new);
    }

    /** Current level of a GSI (false if never raised). */
    public boolean level(int gsi) {
        Line l = lines.get(gsi);
        return l != null && l.level;
    }

    @Override
    public void sendMsi(long address, int data) {
        systemMemory.write(address, 4, data & 0xffff_ffffL);
    }

    @Override
    public void addGsiListener(BiConsumer<Integer, Boolean> listener) {
        listeners.add(listener);
    }

    private final class Line implements IrqLine {
        private final int gsi;
        private boolean level;

        Line(int gsi) {
            this.gsi = gsi;
        }

        @Override
        public void setLevel(boolean high) {
            boolean changed;
            synchronized (this) {
                changed = level != high;
                level = high;
            }
            if (changed) {
                for (BiConsumer<Integer, Boolean> l : listeners) {
                    l.accept(gsi, high);
                }
            }
        }
    }
}
