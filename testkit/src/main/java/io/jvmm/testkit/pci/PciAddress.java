package io.jvmm.testkit.pci;

/** Bus, device (slot) and function of a PCI function; printed as QEMU and lspci do (01:00.0). */
public record PciAddress(int bus, int device, int function) {
    public PciAddress {
        if (bus < 0 || bus > 255 || device < 0 || device > 31 || function < 0 || function > 7) {
            throw new IllegalArgumentException("bad PCI address " + bus + ":" + device + "." + function);
        }
    }

    public static PciAddress of(int bus, int devfn) {
        return new PciAddress(bus, devfn >> 3, devfn & 7);
    }

    public int devfn() {
        return device << 3 | function;
    }

    @Override
    public String toString() {
        return String.format("%02x:%02x.%x", bus, device, function);
    }
}
