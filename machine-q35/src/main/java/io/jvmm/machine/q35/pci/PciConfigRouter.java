package io.jvmm.machine.q35.pci;

import java.util.Optional;

/**
 * Turns a (bus number, devfn, offset) configuration access into a read or write of the function it
 * reaches through the bridge hierarchy; nobody there means all-ones on read and nothing on write (a
 * master abort), which is how a guest's scan learns a slot is empty.
 */
public final class PciConfigRouter {
    private final PciBusImpl root;

    public PciConfigRouter(PciBusImpl root) {
        this.root = root;
    }

    public long read(int bus, int devfn, int offset, int size) {
        Optional<PciFunctionImpl> f = root.route(bus, devfn);
        if (f.isEmpty()) {
            return size == 4 ? 0xffff_ffffL : (1L << (8 * size)) - 1;
        }
        return f.get().guestRead(offset, size);
    }

    public void write(int bus, int devfn, int offset, int size, long value) {
        root.route(bus, devfn).ifPresent(f -> f.guestWrite(offset, size, value));
    }
}
