package io.jvmm.plugin.virtio.warmup;

import io.jvmm.spi.memory.GuestMemory;
import io.jvmm.spi.pci.PciCapabilitySpec;
import io.jvmm.spi.pci.PciDevice;
import io.jvmm.spi.pci.PciFunction;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A plugged function without a machine, for the data-path warm-up and the unit tests: config bytes
 * built from the device's capabilities (enough for the PCI cfg access capability), MSI-X on or off as
 * the caller says, interrupts recorded.
 */
public final class DetachedPciFunction implements PciFunction {
    private final GuestMemory memory;
    private final byte[] config = new byte[256];
    public volatile boolean msixEnabled = true;
    public volatile boolean intx;
    public final List<Integer> msixNotified = new CopyOnWriteArrayList<>();

    public DetachedPciFunction(GuestMemory memory, PciDevice device) {
        this.memory = memory;
        for (PciCapabilitySpec cap : device.capabilities()) {
            config[cap.offset()] = (byte) cap.id();
            System.arraycopy(cap.body(), 0, config, cap.offset() + 2, cap.body().length);
        }
    }

    @Override
    public int busNumber() {
        return 0;
    }

    @Override
    public int devfn() {
        return 2 << 3;
    }

    @Override
    public GuestMemory dma() {
        return memory;
    }

    @Override
    public boolean busMasterEnabled() {
        return true;
    }

    @Override
    public void setIntx(boolean level) {
        intx = level;
    }

    @Override
    public boolean msixEnabled() {
        return msixEnabled;
    }

    @Override
    public void msixNotify(int vector) {
        msixNotified.add(vector);
    }

    @Override
    public boolean msixMasked(int vector) {
        return false;
    }

    @Override
    public long configRead(int offset, int size) {
        long v = 0;
        for (int i = size - 1; i >= 0; i--) {
            v = v << 8 | (config[offset + i] & 0xff);
        }
        return v;
    }

    @Override
    public void configSet(int offset, int size, long value) {
        for (int i = 0; i < size; i++) {
            config[offset + i] = (byte) (value >>> (8 * i));
        }
    }

    @Override
    public long barAddress(int index) {
        return -1;
    }
}
