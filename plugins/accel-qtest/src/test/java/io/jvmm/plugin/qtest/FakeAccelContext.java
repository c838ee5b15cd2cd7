package io.jvmm.plugin.qtest;

import io.jvmm.spi.accel.AccelContext;
import io.jvmm.spi.clock.ClockControl;
import io.jvmm.spi.clock.VirtualClock;
import io.jvmm.spi.irq.InterruptRouting;
import io.jvmm.spi.irq.IrqLine;
import io.jvmm.spi.lifecycle.Pausable;
import io.jvmm.spi.lifecycle.VmEvents;
import io.jvmm.spi.memory.AddressSpace;
import io.jvmm.spi.memory.GuestMemory;
import io.jvmm.spi.memory.GuestMemoryException;
import io.jvmm.spi.memory.IoHandler;
import io.jvmm.spi.memory.RamBackendInfo;
import io.jvmm.spi.pci.PciBus;
import io.jvmm.spi.vmstate.VmStateful;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;

/** An AccelContext over byte-array RAM from 0 and list-based address spaces, recording what happens. */
final class FakeAccelContext implements AccelContext {
    final ByteBuffer ramBuf;
    final Space system;
    final Space io = new Space(null);
    final List<BiConsumer<Integer, Boolean>> gsiListeners = new CopyOnWriteArrayList<>();
    final ReentrantLock lock = new ReentrantLock();
    final CountDownLatch shutdown = new CountDownLatch(1);
    volatile String shutdownReason;
    long clockNow;
    long nextDeadline = 1000;
    boolean manual;

    FakeAccelContext(int ramSize) {
        ramBuf = ByteBuffer.allocate(ramSize).order(ByteOrder.LITTLE_ENDIAN);
        system = new Space(ramBuf);
    }

    void raiseGsi(int gsi, boolean level) {
        for (BiConsumer<Integer, Boolean> l : gsiListeners) {
            l.accept(gsi, level);
        }
    }

    @Override
    public ClockControl clockControl() {
        return new ClockControl() {
            @Override
            public long stepToNextDeadline() {
                clockNow = Math.max(clockNow, nextDeadline);
                return clockNow;
            }

            @Override
            public long step(long nanos) {
                clockNow += nanos;
                return clockNow;
            }

            @Override
            public long set(long nanos) {
                clockNow = Math.max(clockNow, nanos);
                return clockNow;
            }

            @Override
            public void setManual(boolean m) {
                manual = m;
            }
        };
    }

    @Override
    public Lock deviceLock() {
        return lock;
    }

    @Override
    public void requestShutdown(String reason) {
        shutdownReason = reason;
        shutdown.countDown();
    }

    @Override
    public GuestMemory memory() {
        return new GuestMemory() {
            private int at(long a, long n) {
                if (!contains(a, n)) {
                    throw new GuestMemoryException("outside RAM");
                }
                return (int) a;
            }

            @Override
            public long size() {
                return ramBuf.capacity();
            }

            @Override
            public MemorySegment slice(long a, long n) {
                return MemorySegment.ofBuffer(ramBuf).asSlice(at(a, n), n);
            }

            @Override
            public boolean contains(long a, long n) {
                return a >= 0 && n >= 0 && a <= ramBuf.capacity() - n;
            }

            @Override
            public byte readU8(long a) {
                return ramBuf.get(at(a, 1));
            }

            @Override
            public short readU16(long a) {
                return ramBuf.getShort(at(a, 2));
            }

            @Override
            public int readU32(long a) {
                return ramBuf.getInt(at(a, 4));
            }

            @Override
            public long readU64(long a) {
                return ramBuf.getLong(at(a, 8));
            }

            @Override
            public void writeU8(long a, byte v) {
                ramBuf.put(at(a, 1), v);
            }

            @Override
            public void writeU16(long a, short v) {
                ramBuf.putShort(at(a, 2), v);
            }

            @Override
            public void writeU32(long a, int v) {
                ramBuf.putInt(at(a, 4), v);
            }

            @Override
            public void writeU64(long a, long v) {
                ramBuf.putLong(at(a, 8), v);
            }

            @Override
            public void read(long a, byte[] d, int o, int n) {
                ramBuf.get(at(a, n), d, o, n);
            }

            @Override
            public void write(long a, byte[] s, int o, int n) {
                ramBuf.put(at(a, n), s, o, n);
            }
        };
    }

    @Override
    public RamBackendInfo ramBackend() {
        return new RamBackendInfo("ram", ramBuf.capacity(), Optional.empty(), false, OptionalInt.empty());
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
                return high -> raiseGsi(gsi, high);
            }

            @Override
            public void sendMsi(long address, int data) {
            }

            @Override
            public void addGsiListener(BiConsumer<Integer, Boolean> listener) {
                gsiListeners.add(listener);
            }
        };
    }

    @Override
    public VirtualClock clock() {
        throw new UnsupportedOperationException();
    }

    @Override
    public VmEvents events() {
        return (e, d) -> { };
    }

    @Override
    public Optional<PciBus> pciBus(String id) {
        return Optional.empty();
    }

    @Override
    public void registerPciBus(PciBus bus) {
    }

    @Override
    public void registerState(String instanceId, VmStateful state) {
    }

    @Override
    public void registerPausable(Pausable pausable) {
    }

    @Override
    public Optional<String> compatProperty(String driver, String property) {
        return Optional.empty();
    }

    /** RAM underneath (when given), then regions; unassigned reads all-ones. Records device accesses. */
    static final class Space implements AddressSpace {
        final ByteBuffer ram;
        final List<String> accesses = new CopyOnWriteArrayList<>();
        private final List<Object[]> regions = new ArrayList<>();

        Space(ByteBuffer ram) {
            this.ram = ram;
        }

        @Override
        public Region map(String name, long base, long size, IoHandler handler) {
            regions.add(new Object[] {base, size, handler});
            return null;
        }

        private Object[] find(long a) {
            for (Object[] r : regions) {
                if (a >= (long) r[0] && a < (long) r[0] + (long) r[1]) {
                    return r;
                }
            }
            return null;
        }

        @Override
        public long read(long a, int size) {
            if (ram != null && a >= 0 && a + size <= ram.capacity()) {
                return switch (size) {
                    case 1 -> ram.get((int) a) & 0xffL;
                    case 2 -> ram.getShort((int) a) & 0xffffL;
                    case 4 -> ram.getInt((int) a) & 0xffffffffL;
                    default -> ram.getLong((int) a);
                };
            }
            Object[] r = find(a);
            if (r == null) {
                return size == 8 ? -1L : (1L << (8 * size)) - 1;
            }
            accesses.add("r" + size + "@" + Long.toHexString(a));
            return ((IoHandler) r[2]).read(a - (long) r[0], size);
        }

        @Override
        public void write(long a, int size, long v) {
            if (ram != null && a >= 0 && a + size <= ram.capacity()) {
                switch (size) {
                    case 1 -> ram.put((int) a, (byte) v);
                    case 2 -> ram.putShort((int) a, (short) v);
                    case 4 -> ram.putInt((int) a, (int) v);
                    default -> ram.putLong((int) a, v);
                }
                return;
            }
            Object[] r = find(a);
            if (r == null) {
                return;
            }
            accesses.add("w" + size + "@" + Long.toHexString(a) + "=" + Long.toHexString(v));
            ((IoHandler) r[2]).write(a - (long) r[0], size, v);
        }
    }
}
