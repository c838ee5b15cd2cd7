package io.jvmm.machine.q35.pci;

import io.jvmm.spi.memory.IoHandler;
import io.jvmm.spi.pci.MsixSpec;

/**
 * MSI-X state of one function: the vector table (16 bytes per vector: address low, address high,
 * data, vector control) and the pending-bit array, both guest-visible through a BAR. Signalling a
 * vector delivers its message (a 32-bit write of the data to the address) unless the vector or the
 * whole function is masked; then its pending bit is set and the message goes out on unmask.
 *
 * <p>Signals come from I/O threads while the guest programs the table under the device lock, so
 * every method synchronizes on this object.
 */
public final class Msix {
    public static final int ENTRY_SIZE = 16;
    public static final int CTRL_ENABLE = 0x8000, CTRL_FUNCTION_MASK = 0x4000;
    private static final int VECTOR_CTRL_MASKED = 1;

    private final MsixSpec spec;
    private final byte[] table;
    private final byte[] pba;
    private final Delivery delivery;
    private boolean enabled;
    private boolean functionMasked;

    /** Where a message goes; the function checks bus mastering before writing it. */
    interface Delivery {
        void send(long address, int data);
    }

    Msix(MsixSpec spec, Delivery delivery) {
        if (spec.vectors() < 1 || spec.vectors() > 2048) {
            throw new IllegalArgumentException("MSI-X vectors must be 1..2048: " + spec.vectors());
        }
        this.spec = spec;
        this.table = new byte[spec.vectors() * ENTRY_SIZE];
        this.pba = new byte[((spec.vectors() + 63) / 64) * 8];
        this.delivery = delivery;
        reset();
    }

    public MsixSpec spec() {
        return spec;
    }

    public int vectors() {
        return spec.vectors();
    }

    public int tableSize() {
        return table.length;
    }

    public int pbaSize() {
        return pba.length;
    }

    public synchronized void reset() {
        java.util.Arrays.fill(table, (byte) 0);
        java.util.Arrays.fill(pba, (byte) 0);
        for (int v = 0; v < spec.vectors(); v++) {
            table[v * ENTRY_SIZE + 12] = VECTOR_CTRL_MASKED; // vectors come out of reset masked
        }
        enabled = false;
        functionMasked = false;
    }

    /** The guest wrote the capability's Message Control: Enable and Function Mask. */
    public synchronized void controlWritten(int control) {
        enabled = (control & CTRL_ENABLE) != 0;
        functionMasked = (control & CTRL_FUNCTION_MASK) != 0;
        deliverUnmaskedPending();
    }

    public synchronized boolean enabled() {
        return enabled;
    }

    /**
     * As QEMU's msix_is_masked: a vector is masked when its own mask bit is set, the function mask
     * is set, or MSI-X is not enabled at all.
     */
    public synchronized boolean masked(int vector) {
        if (vector < 0 || vector >= spec.vectors()) {
            return true;
        }
        return !enabled || functionMasked || (table[vector * ENTRY_SIZE + 12] & VECTOR_CTRL_MASKED) != 0;
    }

    public synchronized boolean pending(int vector) {
        return vector >= 0 && vector < spec.vectors() && (pba[vector >> 3] & (1 << (vector & 7))) != 0;
    }

    /**
     * Signals {@code vector}: delivered if unmasked, else its pending bit is set (also while MSI-X
     * is disabled, as QEMU's msix_notify); out-of-range vectors are ignored.
     */
    public synchronized void notifyVector(int vector) {
        if (vector < 0 || vector >= spec.vectors()) {
            return;
        }
        if (masked(vector)) {
            pba[vector >> 3] |= (byte) (1 << (vector & 7));
            return;
        }
        send(vector);
    }

    private void send(int vector) {
        int e = vector * ENTRY_SIZE;
        long address = (get32(e) & 0xffff_ffffL) | (get32(e + 4) & 0xffff_ffffL) << 32;
        delivery.send(address, get32(e + 8));
    }

    private int get32(int off) {
        return (table[off] & 0xff) | (table[off + 1] & 0xff) << 8 | (table[off + 2] & 0xff) << 16 | (table[off + 3] & 0xff) << 24;
    }

    private void deliverUnmaskedPending() {
        if (!enabled || functionMasked) {
            return;
        }
        for (int v = 0; v < spec.vectors(); v++) {
            if (pending(v) && !masked(v)) {
                pba[v >> 3] &= (byte) ~(1 << (v & 7));
                send(v);
            }
        }
    }

    /** The table as MMIO: any width, little-endian; writing a vector control may release a pending message. */
    public final IoHandler tableHandler = new IoHandler() {
        @Override
        public long read(long offset, int size) {
            synchronized (Msix.this) {
                return readBytes(table, offset, size);
            }
        }

        @Override
        public void write(long offset, int size, long value) {
            synchronized (Msix.this) {
                if (offset < 0 || offset + size > table.length) {
                    return;
                }
                for (int i = 0; i < size; i++) {
                    int o = (int) offset + i;
                    // reserved bits of vector control (bits 31:1) are read-only zero
                    int b = (int) (value >>> (8 * i)) & 0xff;
                    if ((o & 15) >= 12) {
                        b = (o & 15) == 12 ? b & VECTOR_CTRL_MASKED : 0;
                    }
                    table[o] = (byte) b;
                }
                deliverUnmaskedPending();
            }
        }
    };

    /** The PBA as MMIO: read-only (writes are ignored, as the spec allows). */
    public final IoHandler pbaHandler = new IoHandler() {
        @Override
        public long read(long offset, int size) {
            synchronized (Msix.this) {
                return readBytes(pba, offset, size);
            }
        }

        @Override
        public void write(long offset, int size, long value) {
        }
    };

    private static long readBytes(byte[] a, long offset, int size) {
        long v = 0;
        for (int i = size - 1; i >= 0; i--) {
            long o = offset + i;
            int b = o >= 0 && o < a.length ? a[(int) o] & 0xff : 0;
            v = v << 8 | b;
        }
        return v;
    }

    synchronized byte[] tableSnapshot() {
        return table.clone();
    }

    synchronized byte[] pbaSnapshot() {
        return pba.clone();
    }

    synchronized void restore(byte[] t, byte[] p, int control) {
        if (t.length != table.length || p.length != pba.length) {
            throw new io.jvmm.spi.vmstate.VmStateException("msix: table/PBA of " + t.length + "/" + p.length
                    + " bytes, this device has " + table.length + "/" + pba.length);
        }
        System.arraycopy(t, 0, table, 0, t.length);
        System.arraycopy(p, 0, pba, 0, p.length);
        enabled = (control & CTRL_ENABLE) != 0;
        functionMasked = (control & CTRL_FUNCTION_MASK) != 0;
    }
}
