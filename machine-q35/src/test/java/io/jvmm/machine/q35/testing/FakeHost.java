package io.jvmm.machine.q35.testing;

import io.jvmm.spi.clock.VirtualClock;
import io.jvmm.spi.device.DeviceContext;
import io.jvmm.spi.irq.InterruptRouting;
import io.jvmm.spi.irq.IrqLine;
import io.jvmm.spi.lifecycle.Pausable;
import io.jvmm.spi.lifecycle.VmEvents;
import io.jvmm.spi.machine.MachineContext;
import io.jvmm.spi.memory.AddressSpace;
import io.jvmm.spi.memory.GuestMemory;
import io.jvmm.spi.memory.GuestMemoryException;
import io.jvmm.spi.memory.IoHandler;
import io.jvmm.spi.memory.RamBackendInfo;
import io.jvmm.spi.net.NetBackend;
import io.jvmm.spi.pci.PciBus;
import io.jvmm.spi.vmstate.VmStateful;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.BiConsumer;

/**
 * A minimal host for unit tests of the machine: byte-array RAM, address spaces that search a list
 * (last placed wins, unassigned reads all-ones), GSI levels and MSI writes recorded. Independent of
 * core on purpose: plugins are tested against the SPI contract alone.
 */
public final class FakeHost implements MachineContext, DeviceContext {
    public final Ram ram;
    public final Space system = new Space("system", 1L << 48);
    public final Space io = new Space("io", 1 << 16);
    public final Map<Integer, Boolean> gsiLevels = new HashMap<>();
    public final List<long[]> msis = new ArrayList<>();
    public final Map<String, VmStateful> states = new LinkedHashMap<>();
    public final Map<String, PciBus> buses = new LinkedHashMap<>();
    private final String serial;
    private String deviceId = "dev0";
    /** The -bios file, if the test sets one. */
    public String bios;

    public FakeHost(long ramSize, String serial) {
        this.ram = new Ram((int) ramSize);
        system.ram = ram;
        this.serial = serial;
    }

    public FakeHost withDeviceId(String id) {
        this.deviceId = id;
        return this;
    }

    @Override
    public Optional<String> serial() {
        return Optional.ofNullable(serial);
    }

    @Override
    public Optional<String> bios() {
        return Optional.ofNullable(bios);
    }

    @Override
    public GuestMemory memory() {
        return ram;
    }

    @Override
    public RamBackendInfo ramBackend() {
        return new RamBackendInfo("ram", ram.size(), Optional.empty(), false, OptionalInt.empty());
    }

    @Override
    public AddressSpace systemMemory() {
        return system;
    }

    @Override
    public AddressSpace ioPorts() {
        return io;
    }

    @Override
    public InterruptRouting interrupts() {
        return new InterruptRouting() {
            @Override
            public IrqLine gsi(int gsi) {
                return high -> gsiLevels.put(gsi, high);
            }

            @Override
            public void sendMsi(long address, int data) {
                msis.add(new long[] {address, data & 0xffff_ffffL});
                system.write(address, 4, data & 0xffff_ffffL);
            }

            @Override
            public void addGsiListener(BiConsumer<Integer, Boolean> listener) {
            }
        };
    }

    @Override
    public VirtualClock clock() {
        throw new UnsupportedOperationException("no clock in this fake");
    }

    @Override
    public VmEvents events() {
        return (event, data) -> { };
    }

    @Override
    public Optional<PciBus> pciBus(String id) {
        return Optional.ofNullable(buses.get(id));
    }

    @Override
    public void registerPciBus(PciBus bus) {
        if (buses.putIfAbsent(bus.id(), bus) != null) {
            throw new IllegalStateException("duplicate bus " + bus.id());
        }
    }

    @Override
    public void registerState(String instanceId, VmStateful state) {
        if (states.putIfAbsent(instanceId, state) != null) {
            throw new IllegalStateException("duplicate state id " + instanceId);
        }
    }

    @Override
    public void registerPausable(Pausable pausable) {
    }

    @Override
    public Optional<String> compatProperty(String driver, String property) {
        return Optional.empty();
    }

    @Override
    public String id() {
        return deviceId;
    }

    @Override
    public Optional<NetBackend> netBackend(String id) {
        return Optional.empty();
    }

    @Override
    public boolean incomingMigration() {
        return false;
    }

    /** RAM from guest address 0, little-endian, bounds-checked. */
    public static final class Ram implements GuestMemory {
        private final ByteBuffer buf;

        Ram(int size) {
            buf = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        }

        private int at(long a, long len) {
            if (!contains(a, len)) {
                throw new GuestMemoryException(String.format("0x%x+%d outside RAM", a, len));
            }
            return (int) a;
        }

        @Override
        public long size() {
            return buf.capacity();
        }

        @Override
        public MemorySegment slice(long a, long len) {
            return MemorySegment.ofBuffer(buf).asSlice(at(a, len), len);
        }

        @Override
        public boolean contains(long a, long len) {
            return a >= 0 && len >= 0 && a <= buf.capacity() - len;
        }

        @Override
        public byte readU8(long a) {
            return buf.get(at(a, 1));
        }

        @Override
        public short readU16(long a) {
            return buf.getShort(at(a, 2));
        }

        @Override
        public int readU32(long a) {
            return buf.getInt(at(a, 4));
        }

        @Override
        public long readU64(long a) {
            return buf.getLong(at(a, 8));
        }

        @Override
        public void writeU8(long a, byte v) {
            buf.put(at(a, 1), v);
        }

        @Override
        public void writeU16(long a, short v) {
            buf.putShort(at(a, 2), v);
        }

        @Override
        public void writeU32(long a, int v) {
            buf.putInt(at(a, 4), v);
        }

        @Override
        public void writeU64(long a, long v) {
            buf.putLong(at(a, 8), v);
        }

        @Override
        public void read(long a, byte[] dst, int off, int len) {
            buf.get(at(a, len), dst, off, len);
        }

        @Override
        public void write(long a, byte[] src, int off, int len) {
            buf.put(at(a, len), src, off, len);
        }
    }

    /** Regions in a list; the most recently placed enabled region covering an address wins. */
    public static final class Space implements AddressSpace {
        private final String name;
        private final long size;
        private final List<R> regions = new ArrayList<>();
        private long gen;
        Ram ram;

        Space(String name, long size) {
            this.name = name;
            this.size = size;
        }

        public List<R> regions() {
            return regions;
        }

        /** The enabled region named {@code name}, if mapped. */
        public Optional<R> region(String regionName) {
            return regions.stream().filter(r -> r.name.equals(regionName)).findFirst();
        }

        @Override
        public Region map(String regionName, long base, long regionSize, IoHandler handler) {
            if (base < 0 || regionSize <= 0 || base > size - regionSize) {
                throw new IllegalArgumentException(regionName + " does not fit in " + name); // as core's FlatAddressSpace
            }
            R r = new R(regionName, base, regionSize, handler);
            r.placed = ++gen;
            regions.add(r);
            return r;
        }

        private R find(long a) {
            R best = null;
            for (R r : regions) {
                if (r.enabled && a >= r.base && a < r.base + r.size && (best == null || r.placed > best.placed)) {
                    best = r;
                }
            }
            return best;
        }

        @Override
        public long read(long a, int width) {
            if (ram != null && ram.contains(a, width)) {
                return switch (width) {
                    case 1 -> ram.readU8(a) & 0xffL;
                    case 2 -> ram.readU16(a) & 0xffffL;
                    case 4 -> ram.readU32(a) & 0xffff_ffffL;
                    default -> ram.readU64(a);
                };
            }
            R r = find(a);
            if (r != null && a + width <= r.base + r.size) {
                return r.handler.read(a - r.base, width);
            }
            if (r == null && find(a + width - 1) == null) {
                return IoHandler.UNASSIGNED.read(0, width);
            }
            long v = 0;
            for (int i = 0; i < width; i++) {
                v |= (read(a + i, 1) & 0xff) << (8 * i);
            }
            return v;
        }

        @Override
        public void write(long a, int width, long value) {
            if (ram != null && ram.contains(a, width)) {
                switch (width) {
                    case 1 -> ram.writeU8(a, (byte) value);
                    case 2 -> ram.writeU16(a, (short) value);
                    case 4 -> ram.writeU32(a, (int) value);
                    default -> ram.writeU64(a, value);
                }
                return;
            }
            R r = find(a);
            if (r != null && a + width <= r.base + r.size) {
                r.handler.write(a - r.base, width, value);
                return;
            }
            if (r == null && find(a + width - 1) == null) {
                return;
            }
            for (int i = 0; i < width; i++) {
                write(a + i, 1, value >>> (8 * i));
            }
        }

        public final class R implements Region {
            final String name;
            long base;
            final long size;
            final IoHandler handler;
            boolean enabled = true;
            long placed;

            R(String name, long base, long size, IoHandler handler) {
                this.name = name;
                this.base = base;
                this.size = size;
                this.handler = handler;
            }

            @Override
            public String name() {
                return name;
            }

            @Override
            public long base() {
                return base;
            }

            @Override
            public long size() {
                return size;
            }

            @Override
            public void move(long newBase) {
                if (newBase < 0 || newBase > Space.this.size - size) {
                    enabled = false; // as core's FlatAddressSpace: out of range decodes nothing
                    return;
                }
                base = newBase;
                placed = ++gen;
            }

            @Override
            public void setEnabled(boolean on) {
                if (on && !enabled) {
                    placed = ++gen;
                }
                enabled = on;
            }

            @Override
            public boolean enabled() {
                return enabled;
            }

            @Override
            public void unmap() {
                enabled = false;
                regions.remove(this);
            }
        }
    }
}
