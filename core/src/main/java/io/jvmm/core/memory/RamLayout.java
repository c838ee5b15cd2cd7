package io.jvmm.core.memory;

import java.util.List;

/**
 * Where RAM sits in guest-physical space. The PC layout (q35 and i440fx) puts RAM below the PCI
 * hole and continues it at 4 GiB: with 2.75 GiB or more, only the first 2 GiB stay low, as QEMU's
 * q35 does, so the MMCONFIG window at 0xB0000000 and the 32-bit PCI hole stay free.
 */
public final class RamLayout {
    static final long FOUR_GIB = 1L << 32;
    static final long Q35_LOWMEM_LIMIT = 0xB0000000L;
    static final long Q35_LOWMEM_SPLIT = 0x80000000L;

    private RamLayout() {
    }

    public static List<RamBlock> pc(long size) {
        if (size < Q35_LOWMEM_LIMIT) {
            return List.of(new RamBlock(0, 0, size));
        }
        return List.of(new RamBlock(0, 0, Q35_LOWMEM_SPLIT),
                new RamBlock(FOUR_GIB, Q35_LOWMEM_SPLIT, size - Q35_LOWMEM_SPLIT));
    }
}
