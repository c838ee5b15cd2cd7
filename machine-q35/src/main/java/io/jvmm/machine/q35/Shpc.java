package io.jvmm.machine.q35;

import io.jvmm.spi.memory.IoHandler;

/**
 * The Standard Hot-Plug Controller register file of a pcie-pci-bridge (BAR0, 256 bytes, and the
 * SHPC capability's DWORD select/data window), with the values QEMU 7.2 shows after reset for a
 * bus of 31 hot-pluggable slots: slots available, slot configuration (first device number 1,
 * 31 slots), programming interface 1, SERR/INT masks set, every slot "empty, power off".
 *
 * <p>jvmm does no hot-plug: the registers read as QEMU's and guest writes are ignored. A guest's
 * SHPC driver therefore sees a controller with empty slots and never gets an event; devices plugged
 * at start-up are enumerated through config space as usual.
 */
final class Shpc implements IoHandler {
    static final int SIZE = 256;
    static final int SLOTS = 31;

    private final byte[] regs = new byte[SIZE];

    Shpc() {
        put(0x04, 0x0000_001f); // slots available: 31 at 33 MHz conventional
        put(0x0c, 0xe001_011f); // slot configuration: 31 slots, first device 1, PSN up, MRL/attention
        put(0x10, 0x0100_0000); // programming interface 1
        put(0x20, 0x0000_000f); // SERR-INT: all masked
        for (int i = 0; i < SLOTS; i++) {
            put(0x24 + 4 * i, 0x7f00_0d0f); // slot: empty, power off, indicators off, events masked
        }
    }

    private void put(int off, int v) {
        for (int i = 0; i < 4; i++) {
            regs[off + i] = (byte) (v >>> (8 * i));
        }
    }

    /** The dword the capability's data window shows for DWORD select {@code select}. */
    long dword(int select) {
        int off = select * 4;
        return off + 4 <= SIZE ? read(off, 4) : 0;
    }

    @Override
    public long read(long offset, int size) {
        long v = 0;
        for (int i = size - 1; i >= 0; i--) {
            long o = offset + i;
            v = v << 8 | (o >= 0 && o < SIZE ? regs[(int) o] & 0xff : 0);
        }
        return v;
    }

    @Override
    public void write(long offset, int size, long value) {
        // no hot-plug: commands and event acknowledgements have nothing to act on
    }
}
