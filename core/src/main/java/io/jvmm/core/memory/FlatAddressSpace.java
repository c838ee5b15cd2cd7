package io.jvmm.core.memory;

import io.jvmm.spi.memory.AddressSpace;
import io.jvmm.spi.memory.GuestMemory;
import io.jvmm.spi.memory.IoHandler;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * An address space of MMIO or port regions, optionally with RAM underneath (system memory).
 *
 * <p>Lookups are lock-free: the enabled regions live in an immutable array sorted by base,
 * replaced whenever a region is mapped, moved, enabled or removed (rare: BAR programming), so
 * the access path (qtest, vCPU exits, MSI writes) does a binary search and nothing else.
 *
 * <p>A guest may program two BARs to overlap; that is not an error, as on real hardware the
 * result is undefined: here the most recently placed region wins. Accesses no region covers read
 * all-ones and drop writes. An access that crosses a region's end is split into single bytes, each
 * going where it belongs.
 */
public final class FlatAddressSpace implements AddressSpace {
    private final String name;
    private final long size;
    private final Optional<GuestMemory> ram;
    private final List<RegionImpl> regions = new ArrayList<>();
    private volatile RegionImpl[] lookup = new RegionImpl[0];
    private long generation;

    public FlatAddressSpace(String name, long size) {
        this(name, size, null);
    }

    /** System memory: accesses that land in {@code ram} go to RAM, the rest to MMIO regions. */
    public FlatAddressSpace(String name, long size, GuestMemory ram) {
        this.name = name;
        this.size = size;
        this.ram = Optional.ofNullable(ram);
    }

    public String name() {
        return name;
    }

    @Override
    public synchronized Region map(String regionName, long base, long regionSize, IoHandler handler) {
        if (regionSize <= 0 || base < 0 || base > size - regionSize) {
            throw new IllegalArgumentException(String.format("%s: region %s 0x%x+0x%x does not fit in 0x%x",
                    name, regionName, base, regionSize, size));
        }
        RegionImpl r = new RegionImpl(regionName, base, regionSize, handler);
        regions.add(r);
        rebuild();
        return r;
    }

    /** Regions currently mapped (for `info mtree`-style diagnostics and tests). */
    public synchronized List<Region> regions() {
        return List.copyOf(regions);
    }

    private synchronized void rebuild() {
        RegionImpl[] enabled = regions.stream().filter(r -> r.enabled).toArray(RegionImpl[]::new);
        // Most recently placed first among equals, so a stable sort by base keeps "last wins" below.
        Arrays.sort(enabled, (a, b) -> a.base != b.base ? Long.compare(a.base, b.base) : Long.compare(b.placed, a.placed));
        lookup = enabled;
    }

    private RegionImpl find(long address) {
        RegionImpl[] arr = lookup;
        RegionImpl best = null;
        // Binary search for the last region with base <= address, then look back for overlaps
        // (rare; bounded by how many regions start at or before the address and still cover it).
        int lo = 0;
        int hi = arr.length - 1;
        int idx = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (arr[mid].base <= address) {
                idx = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        for (int i = idx; i >= 0; i--) {
            RegionImpl r = arr[i];
            if (address - r.base < r.size) {
                if (best == null || r.placed > best.placed) {
                    best = r;
                }
            }
        }
        return best;
    }

    @Override
    public long read(long address, int width) {
        checkWidth(width);
        if (ram.isPresent() && ram.get().contains(address, width)) {
            GuestMemory m = ram.get();
            return switch (width) {
                case 1 -> m.readU8(address) & 0xffL;
                case 2 -> m.readU16(address) & 0xffffL;
                case 4 -> m.readU32(address) & 0xffff_ffffL;
                default -> m.readU64(address);
            };
        }
        RegionImpl r = find(address);
        if (r != null && width <= r.size - (address - r.base)) {
            return r.handler.read(address - r.base, width);
        }
        if (r == null && find(address + width - 1) == null && !ramOverlaps(address, width)) {
            return IoHandler.UNASSIGNED.read(0, width);
        }
        long value = 0;
        for (int i = 0; i < width; i++) {
            value |= (read(address + i, 1) & 0xffL) << (8 * i);
        }
        return value;
    }

    @Override
    public void write(long address, int width, long value) {
        checkWidth(width);
        if (ram.isPresent() && ram.get().contains(address, width)) {
            GuestMemory m = ram.get();
            switch (width) {
                case 1 -> m.writeU8(address, (byte) value);
                case 2 -> m.writeU16(address, (short) value);
                case 4 -> m.writeU32(address, (int) value);
                default -> m.writeU64(address, value);
            }
            return;
        }
        RegionImpl r = find(address);
        if (r != null && width <= r.size - (address - r.base)) {
            r.handler.write(address - r.base, width, value);
            return;
        }
        if (r == null && find(address + width - 1) == null && !ramOverlaps(address, width)) {
            return;
        }
        for (int i = 0; i < width; i++) {
            write(address + i, 1, value >>> (8 * i));
        }
    }

    private boolean ramOverlaps(long address, int width) {
        if (ram.isEmpty()) {
            return false;
        }
        for (int i = 0; i < width; i++) {
            if (ram.get().contains(address + i, 1)) {
                return true;
            }
        }
        return false;
    }

    private static void checkWidth(int width) {
        if (width != 1 && width != 2 && width != 4 && width != 8) {
            throw new IllegalArgumentException("access width must be 1, 2, 4 or 8 bytes, got " + width);
        }
    }

    private final class RegionImpl implements Region {
        private final String regionName;
        private final IoHandler handler;
        private final long size;
        private long base;
        private boolean enabled = true;
        private boolean mapped = true;
        private long placed;

        RegionImpl(String regionName, long base, long size, IoHandler handler) {
            this.regionName = regionName;
            this.base = base;
            this.size = size;
            this.handler = handler;
            this.placed = ++generation;
        }

        @Override
        public String name() {
            return regionName;
        }

        @Override
        public long base() {
            synchronized (FlatAddressSpace.this) {
                return base;
            }
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public void move(long newBase) {
            synchronized (FlatAddressSpace.this) {
                if (!mapped) {
                    throw new IllegalStateException(regionName + " was unmapped");
                }
                if (newBase < 0 || newBase > FlatAddressSpace.this.size - size) {
                    // A BAR placed beyond the address space decodes nothing (it is not an error a
                    // guest can use to hurt the VMM); keep it disabled there.
                    base = Math.max(0, Math.min(newBase, FlatAddressSpace.this.size - size));
                    enabled = false;
                } else {
                    base = newBase;
                }
                placed = ++generation;
                rebuild();
            }
        }

        @Override
        public void setEnabled(boolean on) {
            synchronized (FlatAddressSpace.this) {
                if (enabled != on && mapped) {
                    enabled = on;
                    if (on) {
                        placed = ++generation;
                    }
                    rebuild();
                }
            }
        }

        @Override
        public boolean enabled() {
            synchronized (FlatAddressSpace.this) {
                return enabled && mapped;
            }
        }

        @Override
        public void unmap() {
            synchronized (FlatAddressSpace.this) {
                if (mapped) {
                    mapped = false;
                    enabled = false;
                    regions.remove(this);
                    rebuild();
                }
            }
        }

        @Override
        public String toString() {
            return String.format("%s@0x%x+0x%x%s", regionName, base, size, enabled ? "" : " (disabled)");
        }
    }
}
