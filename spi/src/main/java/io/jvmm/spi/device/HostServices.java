package io.jvmm.spi.device;

import io.jvmm.spi.clock.VirtualClock;
import io.jvmm.spi.irq.InterruptRouting;
import io.jvmm.spi.lifecycle.Pausable;
import io.jvmm.spi.lifecycle.VmEvents;
import io.jvmm.spi.memory.AddressSpace;
import io.jvmm.spi.memory.GuestMemory;
import io.jvmm.spi.memory.RamBackendInfo;
import io.jvmm.spi.pci.PciBus;
import io.jvmm.spi.vmstate.VmStateful;
import java.util.Optional;

/** The seams the core offers to machines and devices. Nothing here exposes core classes. */
public interface HostServices {

    GuestMemory memory();

    RamBackendInfo ramBackend();

    /** System memory address space for MMIO regions (RAM is not in it as a region). */
    AddressSpace systemMemory();

    /** The 64 KiB I/O port space. */
    AddressSpace ioPorts();

    InterruptRouting interrupts();

    VirtualClock clock();

    VmEvents events();

    /** A bus registered by the machine or a bridge, by id ({@code pcie.0}, {@code pci.1}). */
    Optional<PciBus> pciBus(String id);

    /** Registers a bus so later devices can name it with {@code bus=}. Ids must be unique. */
    void registerPciBus(PciBus bus);

    /** Registers device state for migration under a stable instance id. */
    void registerState(String instanceId, VmStateful state);

    /** Registers something that must stop moving data while the VM is stopped. */
    void registerPausable(Pausable pausable);

    /** Compat property value for (driver, property) from the machine type, if any. */
    Optional<String> compatProperty(String driver, String property);
}
