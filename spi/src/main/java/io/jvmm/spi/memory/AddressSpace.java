package io.jvmm.spi.memory;

/**
 * A flat address space (system memory for MMIO, or the 64 KiB I/O port space) into which devices
 * map regions. Accesses to addresses no region covers read all-ones and drop writes.
 */
public interface AddressSpace {

    /**
     * Maps a region. Regions may overlap (a guest can program two BARs to the same address); the most
     * recently placed one decodes the overlap.
     */
    Region map(String name, long base, long size, IoHandler handler);

    /** Dispatches an access of 1, 2, 4 or 8 bytes (used by accelerators and by DMA to MMIO). */
    long read(long address, int size);

    void write(long address, int size, long value);

    /** A mapped region; devices move it when the guest programs a BAR. */
    interface Region {
        String name();

        long base();

        long size();

        /** Moves the region to a new base (BAR reprogrammed). */
        void move(long newBase);

        /** Enables or disables decoding (command register IO/MEM bits). */
        void setEnabled(boolean enabled);

        boolean enabled();

        void unmap();
    }
}
