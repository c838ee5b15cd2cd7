package io.jvmm.machine.q35.pci;

import io.jvmm.spi.device.HostServices;
import io.jvmm.spi.irq.InterruptRouting;
import io.jvmm.spi.memory.AddressSpace;
import io.jvmm.spi.memory.GuestMemory;
import io.jvmm.spi.vmstate.VmStateful;
import java.util.function.BiConsumer;

/**
 * What the PCI emulation needs of the board: the two address spaces BARs land in, guest memory for
 * DMA, interrupt routing, and somewhere to register migratable state.
 */
public record PciPlatform(AddressSpace systemMemory, AddressSpace ioPorts, GuestMemory memory,
        InterruptRouting interrupts, BiConsumer<String, VmStateful> stateRegistry) {

    public static PciPlatform of(HostServices host) {
        return new PciPlatform(host.systemMemory(), host.ioPorts(), host.memory(), host.interrupts(), host::registerState);
    }
}
