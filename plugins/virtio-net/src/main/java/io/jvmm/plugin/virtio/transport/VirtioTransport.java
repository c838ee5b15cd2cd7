package io.jvmm.plugin.virtio.transport;

import io.jvmm.plugin.virtio.queue.SplitVirtqueue;
import io.jvmm.spi.memory.GuestMemory;

/** What a device model gets from its transport: queues, memory, interrupts, error reporting. */
public interface VirtioTransport {

    GuestMemory memory();

    SplitVirtqueue queue(int index);

    /** Features the driver accepted (0 before negotiation). */
    long negotiatedFeatures();

    int status();

    /** Interrupts the driver for a used-ring update on {@code queue} (MSI-X vector or INTx+ISR). */
    void notifyQueue(SplitVirtqueue queue);

    /** Interrupts the driver for a configuration change and bumps config_generation. */
    void notifyConfigChange();

    /**
     * The driver broke the contract: set DEVICE_NEEDS_RESET, log one line (only the first time
     * until the device is reset), interrupt for the configuration change. Safe from any thread.
     */
    void deviceNeedsReset(String reason);

    /** True once DEVICE_NEEDS_RESET is set and until the driver resets the device. */
    boolean needsReset();
}
