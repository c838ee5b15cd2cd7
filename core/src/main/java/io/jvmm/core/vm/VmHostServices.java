package io.jvmm.core.vm;

import io.jvmm.core.clock.VmClock;
import io.jvmm.core.event.EventBus;
import io.jvmm.core.irq.InterruptRouter;
import io.jvmm.core.memory.FlatAddressSpace;
import io.jvmm.core.memory.GuestRam;
import io.jvmm.spi.clock.VirtualClock;
import io.jvmm.spi.device.HostServices;
import io.jvmm.spi.irq.InterruptRouting;
import io.jvmm.spi.lifecycle.Pausable;
import io.jvmm.spi.lifecycle.VmEvents;
import io.jvmm.spi.machine.MachineContext;
import io.jvmm.spi.memory.AddressSpace;
import io.jvmm.spi.memory.GuestMemory;
import io.jvmm.spi.memory.RamBackendInfo;
import io.jvmm.spi.pci.PciBus;
import io.jvmm.spi.vmstate.VmStateful;
import java.util.Map;
import java.util.Optional;

/** The seams of one VM as the SPI offers them to machines, devices and accelerators. */
class VmHostServices implements HostServices, MachineContext {
    final GuestRam ram;
    final FlatAddressSpace systemMemory;
    final FlatAddressSpace ioPorts;
    final InterruptRouter interrupts;
    final VmClock clock;
    final EventBus events;
    final VmRegistry registry;
    private final Map<String, Map<String, String>> compat;
    private final Optional<String> serial;
    private final Optional<String> bios;

    VmHostServices(GuestRam ram, FlatAddressSpace systemMemory, FlatAddressSpace ioPorts, InterruptRouter interrupts,
            VmClock clock, EventBus events, VmRegistry registry, Map<String, Map<String, String>> compat,
            Optional<String> serial, Optional<String> bios) {
        this.ram = ram;
        this.systemMemory = systemMemory;
        this.ioPorts = ioPorts;
        this.interrupts = interrupts;
        this.clock = clock;
        this.events = events;
        this.registry = registry;
        this.compat = compat;
        this.serial = serial;
        this.bios = bios;
    }

    VmHostServices(VmHostServices other) {
        this(other.ram, other.systemMemory, other.ioPorts, other.interrupts, other.clock, other.events, other.registry,
                other.compat, other.serial, other.bios);
    }

    @Override
    public GuestMemory memory() {
        return ram;
    }

    @Override
    public RamBackendInfo ramBackend() {
        return ram.ramBackendInfo();
    }

    @Override
    public AddressSpace systemMemory() {
        return systemMemory;
    }

    @Override
    public AddressSpace ioPorts() {
        return ioPorts;
    }

    @Override
    public InterruptRouting interrupts() {
        return interrupts;
    }

    @Override
    public VirtualClock clock() {
        return clock;
    }

    @Override
    public VmEvents events() {
        return events;
    }

    @Override
    public Optional<PciBus> pciBus(String id) {
        return registry.pciBus(id);
    }

    @Override
    public void registerPciBus(PciBus bus) {
        registry.registerPciBus(bus);
    }

    @Override
    public void registerState(String instanceId, VmStateful state) {
        registry.registerState(instanceId, state);
    }

    @Override
    public void registerPausable(Pausable pausable) {
        registry.registerPausable(pausable);
    }

    @Override
    public Optional<String> compatProperty(String driver, String property) {
        return Optional.ofNullable(compat.getOrDefault(driver, Map.of()).get(property));
    }

    @Override
    public Optional<String> serial() {
        return serial;
    }

    @Override
    public Optional<String> bios() {
        return bios;
    }
}
