package io.jvmm.spi.pci;

import io.jvmm.spi.memory.GuestMemory;

/** The handle a plugged device keeps to its function: interrupts, DMA, its own config bytes. */
public interface PciFunction {

    int busNumber();

    int devfn();

    /** Guest memory for DMA. */
    GuestMemory dma();

    boolean busMasterEnabled();

    /** Sets the INTx level (ignored while the command register's INTx-disable bit is set). */
    void setIntx(boolean level);

    boolean msixEnabled();

    /**
     * Signals an MSI-X vector: delivers the table's message, or sets the pending bit if the vector
     * or the function is masked (a disabled MSI-X counts as masked, as in QEMU). Out-of-range
     * vectors are ignored.
     */
    void msixNotify(int vector);

    /** Whether the vector is masked (per-vector mask, function mask, or MSI-X disabled). */
    boolean msixMasked(int vector);

    /**
     * Reads the stored config space bytes: what the emulation, {@link #configSet} and guest writes
     * (after their masks) left there. It does not call the device's own
     * {@link PciDevice#configRead} hook, so a device may use it from inside that hook or from
     * {@link PciDevice#configWritten} to see, for instance, the value the guest just wrote.
     */
    long configRead(int offset, int size);

    /** Writes config space bytes directly, bypassing write masks (device-owned fields). */
    void configSet(int offset, int size, long value);

    /** The guest-assigned address of a BAR, or -1 when unassigned/disabled. */
    long barAddress(int index);
}
