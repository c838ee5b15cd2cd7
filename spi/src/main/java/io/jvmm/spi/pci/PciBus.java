package io.jvmm.spi.pci;

/** A PCI or PCIe bus devices plug into. Implemented by the machine (root bus, bridges). */
public interface PciBus {

    /** The bus id devices name with {@code bus=} ({@code pcie.0}, or a bridge's id). */
    String id();

    /** True for a PCI Express bus (devices there expose a PCIe capability). */
    boolean isExpress();

    /**
     * Plugs a device. {@code devfn} is {@code slot << 3 | function}, or -1 for the first free slot
     * (function 0). Throws {@link io.jvmm.spi.config.ConfigException} if the slot is taken or out
     * of range.
     */
    PciFunction plug(PciDevice device, int devfn);
}
