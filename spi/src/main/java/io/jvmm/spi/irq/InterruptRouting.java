package io.jvmm.spi.irq;

import java.util.function.BiConsumer;

/**
 * The one seam through which devices raise interrupts: INTx/GSI lines and MSI messages. An
 * accelerator (qtest's irq_intercept, KVM's irqfd) observes it; devices never talk to an
 * interrupt controller directly.
 */
public interface InterruptRouting {

    /** The line for a global system interrupt number. */
    IrqLine gsi(int gsi);

    /**
     * Delivers an MSI: a 32-bit write of {@code data} to {@code address} in system memory (on x86 the
     * APIC window at 0xFEE00000; under qtest often guest RAM the test polls).
     */
    void sendMsi(long address, int data);

    /** Observes GSI level changes (gsi, level); used by qtest's irq_intercept. */
    void addGsiListener(BiConsumer<Integer, Boolean> listener);
}
