package io.jvmm.plugin.virtio.queue;

import io.jvmm.spi.memory.GuestMemory;
import io.jvmm.spi.memory.GuestMemoryException;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A split virtqueue (virtio 1.2, section 2.7) as the device sees it: descriptor table, available
 * ring (driver to device), used ring (device to driver), with indirect descriptors and
 * VIRTIO_F_EVENT_IDX notification suppression.
 *
 * <p>Everything the driver wrote is untrusted: each read is bounds-checked by {@link GuestMemory}
 * and every index, length and chain is validated here; a violation is a {@link VirtioGuestError}.
 *
 * <p>Thread safety: the data path (a backend's I/O thread) and register accesses (the device lock)
 * both use the queue, so every caller holds {@link #lock()} around a sequence of calls.
 */
public final class SplitVirtqueue {

    public static final int VIRTQ_DESC_F_NEXT = 1;
    public static final int VIRTQ_DESC_F_WRITE = 2;
    public static final int VIRTQ_DESC_F_INDIRECT = 4;
    public static final int VRING_USED_F_NO_NOTIFY = 1;
    public static final int VRING_AVAIL_F_NO_INTERRUPT = 1;
    public static final int NO_VECTOR = 0xffff;
    /** The largest split queue the spec allows. */
    public static final int MAX_SIZE = 32768;

    private final int index;
    private final GuestMemory memory;
    private final ReentrantLock lock = new ReentrantLock();

    private int maxSize;
    private int size;
    private boolean enabled;
    private long descAddress;
    private long availAddress;
    private long usedAddress;
    private int vector = NO_VECTOR;
    private int lastAvailIdx;
    private int usedIdx;
    /** Used index when the driver was last notified, for VIRTIO_F_EVENT_IDX. */
    private int signalledUsedIdx;
    private boolean signalledValid;
    private boolean eventIdx;
    /**
     * What the used ring's flags word says now (without EVENT_IDX): TRUE kicks wanted, FALSE
     * NO_NOTIFY, null not known (after a reset or a load the ring in RAM may say either). Lets a
     * receive path that calls {@link #setDeviceNotifications} per frame skip the write and the fence.
     */
    private Boolean notificationsWanted;
    /** Bumped on every reset, so buffers handed out before a reset are recognised as stale. */
    private long generation;

    public SplitVirtqueue(int index, int maxSize, GuestMemory memory) {
        if (maxSize < 1 || maxSize > MAX_SIZE || Integer.bitCount(maxSize) != 1) {
            throw new IllegalArgumentException("queue size must be a power of two up to 32768: " + maxSize);
        }
        this.index = index;
        this.memory = memory;
        this.maxSize = maxSize;
        this.size = maxSize;
    }

    public int index() {
        return index;
    }

    public ReentrantLock lock() {
        return lock;
    }

    public GuestMemory memory() {
        return memory;
    }

    public int maxSize() {
        return maxSize;
    }

    public int size() {
        return size;
    }

    public boolean enabled() {
        return enabled;
    }

    public long generation() {
        return generation;
    }

    public int vector() {
        return vector;
    }

    public void setVector(int vector) {
        this.vector = vector;
    }

    public long descAddress() {
        return descAddress;
    }

    public long availAddress() {
        return availAddress;
    }

    public long usedAddress() {
        return usedAddress;
    }

    public int lastAvailIdx() {
        return lastAvailIdx;
    }

    public int usedIdx() {
        return usedIdx;
    }

    public void setEventIdx(boolean eventIdx) {
        this.eventIdx = eventIdx;
    }

    /** Sets the size the driver chose; ignored (as QEMU does) unless a power of two up to the maximum. */
    public boolean setSize(int newSize) {
        if (enabled || newSize < 1 || newSize > maxSize || Integer.bitCount(newSize) != 1) {
            return false;
        }
        size = newSize;
        return true;
    }

    public void setDescAddress(long a) {
        descAddress = a;
    }

    public void setAvailAddress(long a) {
        availAddress = a;
    }

    public void setUsedAddress(long a) {
        usedAddress = a;
    }

    /** The driver set queue_enable: the rings must lie in RAM and be aligned as the spec says. */
    public void enable() throws VirtioGuestError {
        checkRing("descriptor table", descAddress, 16L * size, 16);
        checkRing("available ring", availAddress, 6L + 2L * size, 2);
        checkRing("used ring", usedAddress, 6L + 8L * size, 4);
        enabled = true;
    }

    private void checkRing(String what, long address, long length, int alignment) throws VirtioGuestError {
        if ((address & (alignment - 1)) != 0 || !memory.contains(address, length)) {
            throw new VirtioGuestError(String.format("queue %d: %s at 0x%x (%d bytes) is not in guest RAM or misaligned",
                    index, what, address, length));
        }
    }

    /** Legacy interface: rings at one guest page frame, laid out with 4096-byte alignment. */
    public void setLegacyPfn(long pfn) throws VirtioGuestError {
        if (pfn == 0) {
            reset();
            return;
        }
        long base = pfn << 12;
        descAddress = base;
        availAddress = base + 16L * size;
        usedAddress = (availAddress + 6L + 2L * size + 4095) & ~4095L;
        enable();
    }

    /** Queue reset (device reset or VIRTIO_F_RING_RESET): back to the driver's defaults. */
    public void reset() {
        enabled = false;
        size = maxSize;
        descAddress = availAddress = usedAddress = 0;
        vector = NO_VECTOR;
        lastAvailIdx = usedIdx = signalledUsedIdx = 0;
        signalledValid = false;
        eventIdx = false;
        notificationsWanted = null;
        generation++;
    }

    /** A different role for this queue index (virtio-net's control queue moves with MQ). */
    public void resetWithMaxSize(int newMaxSize) {
        if (newMaxSize < 1 || newMaxSize > MAX_SIZE || Integer.bitCount(newMaxSize) != 1) {
            throw new IllegalArgumentException("queue size must be a power of two up to 32768: " + newMaxSize);
        }
        maxSize = newMaxSize;
        reset();
    }

    /** Available buffers not yet taken, after checking the driver's index did not jump. */
    public int available() throws VirtioGuestError {
        if (!enabled) {
            return 0;
        }
        int availIdx = read16(availAddress + 2);
        int pending = (availIdx - lastAvailIdx) & 0xffff;
        if (pending > size) {
            throw new VirtioGuestError(String.format("queue %d: available index jumped from %d to %d (queue size %d)",
                    index, lastAvailIdx, availIdx, size));
        }
        return pending;
    }

    /** Takes the next chain from the available ring, or null when there is none. */
    public DescriptorChain pop() throws VirtioGuestError {
        if (available() == 0) {
            return null;
        }
        // The driver writes ring entries before the index: read them after the index (acquire).
        VarHandle.acquireFence();
        int head = read16(availAddress + 4 + 2L * (lastAvailIdx % size));
        DescriptorChain chain = walk(head);
        lastAvailIdx = (lastAvailIdx + 1) & 0xffff;
        return chain;
    }

    /** Gives back the last {@code count} chains taken (a frame the device decided not to use). */
    public void unpop(int count) {
        lastAvailIdx = (lastAvailIdx - count) & 0xffff;
    }

    private DescriptorChain walk(int head) throws VirtioGuestError {
        if (head >= size) {
            throw new VirtioGuestError("queue " + index + ": head descriptor " + head + " is outside the table of " + size);
        }
        long table = descAddress;
        int tableSize = size;
        int idx = head;
        int count = 0;
        boolean indirect = false;
        long[] addresses = new long[4];
        int[] lengths = new int[4];
        int n = 0;
        int readable = 0;
        while (true) {
            if (idx >= tableSize) {
                throw new VirtioGuestError("queue " + index + ": descriptor index " + idx + " is outside the table of " + tableSize);
            }
            if (++count > tableSize) {
                throw new VirtioGuestError("queue " + index + ": descriptor chain from " + head
                        + " is longer than its table (" + tableSize + "): a loop");
            }
            long d = table + 16L * idx;
            long address = read64(d);
            long length = read32(d + 8);
            int flags = read16(d + 12);
            int next = read16(d + 14);
            if ((flags & VIRTQ_DESC_F_INDIRECT) != 0) {
                if (indirect) {
                    throw new VirtioGuestError("queue " + index + ": indirect descriptor inside an indirect table");
                }
                if (count != 1 || (flags & VIRTQ_DESC_F_NEXT) != 0) {
                    throw new VirtioGuestError("queue " + index + ": an indirect descriptor must be the only one in its chain");
                }
                if (length == 0 || length % 16 != 0 || length / 16 > MAX_SIZE) {
                    throw new VirtioGuestError("queue " + index + ": indirect table length " + length + " is invalid");
                }
                if (!inRam(address, length)) {
                    throw new VirtioGuestError(String.format("queue %d: indirect table at 0x%x (%d bytes) is outside guest RAM",
                            index, address, length));
                }
                indirect = true;
                table = address;
                tableSize = (int) (length / 16);
                idx = 0;
                count = 0;
                continue;
            }
            if (length > 0 && !inRam(address, length)) {
                throw new VirtioGuestError(String.format("queue %d: buffer at 0x%x (%d bytes) is outside guest RAM",
                        index, address, length));
            }
            boolean writable = (flags & VIRTQ_DESC_F_WRITE) != 0;
            if (!writable && n > readable) {
                throw new VirtioGuestError("queue " + index + ": a device-readable buffer follows a device-writable one");
            }
            if (length > 0) {
                if (n == addresses.length) {
                    addresses = Arrays.copyOf(addresses, n * 2);
                    lengths = Arrays.copyOf(lengths, n * 2);
                }
                addresses[n] = address;
                // A 4 GiB length cannot be in RAM of a size we map in one int-indexed piece, but be exact:
                if (length > Integer.MAX_VALUE) {
                    throw new VirtioGuestError("queue " + index + ": buffer length " + length + " is too large");
                }
                lengths[n] = (int) length;
                n++;
                if (!writable) {
                    readable++;
                }
            }
            if ((flags & VIRTQ_DESC_F_NEXT) == 0) {
                break;
            }
            idx = next;
        }
        return new DescriptorChain(head, Arrays.copyOf(addresses, n), Arrays.copyOf(lengths, n), readable);
    }

    private boolean inRam(long address, long length) {
        return address >= 0 && address + length > address && memory.contains(address, length);
    }

    /** Puts a used element in the ring; the driver sees it after {@link #publishUsed()}. */
    public void addUsed(int head, int length) {
        long e = usedAddress + 4 + 8L * (usedIdx % size);
        memory.writeU32(e, head);
        memory.writeU32(e + 4, length);
        usedIdx = (usedIdx + 1) & 0xffff;
    }

    /** Makes used elements visible: elements first, then the index (release). */
    public void publishUsed() {
        VarHandle.releaseFence();
        memory.writeU16(usedAddress + 2, (short) usedIdx);
    }

    /**
     * Whether the driver wants an interrupt for what was published since the last one: its
     * used_event index with VIRTIO_F_EVENT_IDX, else the NO_INTERRUPT flag.
     */
    public boolean shouldNotify() {
        // The used index must be visible before we read the driver's suppression state.
        VarHandle.fullFence();
        boolean notify;
        if (eventIdx) {
            int usedEvent = read16(availAddress + 4 + 2L * size);
            notify = !signalledValid || needEvent(usedEvent, usedIdx, signalledUsedIdx);
        } else {
            notify = (read16(availAddress) & VRING_AVAIL_F_NO_INTERRUPT) == 0;
        }
        signalledUsedIdx = usedIdx;
        signalledValid = true;
        return notify;
    }

    /** vring_need_event from the spec: did new_idx pass event_idx since old_idx? */
    static boolean needEvent(int eventIdx, int newIdx, int oldIdx) {
        return ((newIdx - eventIdx - 1) & 0xffff) < ((newIdx - oldIdx) & 0xffff);
    }

    /**
     * Tells the driver whether the device wants kicks: with EVENT_IDX by publishing avail_event,
     * otherwise with the used ring's NO_NOTIFY flag.
     */
    public void setDeviceNotifications(boolean wanted) {
        if (!enabled) {
            return;
        }
        if (eventIdx) {
            if (!wanted) {
                return; // a stale avail_event already suppresses kicks: nothing to write
            }
            memory.writeU16(usedAddress + 4 + 8L * size, (short) lastAvailIdx);
        } else {
            if (notificationsWanted != null && notificationsWanted == wanted) {
                return; // the flag already says so; a data path calls this per frame
            }
            memory.writeU16(usedAddress, (short) (wanted ? 0 : VRING_USED_F_NO_NOTIFY));
            notificationsWanted = wanted;
        }
        // The flag must be visible before we look at the available index again.
        VarHandle.fullFence();
    }

    public VirtqueueState state() {
        return new VirtqueueState(size, enabled, descAddress, availAddress, usedAddress, vector, lastAvailIdx, usedIdx);
    }

    /** Restores saved state after checking it against this queue and guest RAM. */
    public void restore(VirtqueueState s) throws VirtioGuestError {
        if (s.size() < 1 || s.size() > maxSize || Integer.bitCount(s.size()) != 1) {
            throw new VirtioGuestError("queue " + index + ": saved size " + s.size() + " does not fit maximum " + maxSize);
        }
        reset();
        size = s.size();
        descAddress = s.descAddress();
        availAddress = s.availAddress();
        usedAddress = s.usedAddress();
        vector = s.vector() & 0xffff;
        lastAvailIdx = s.lastAvailIdx() & 0xffff;
        usedIdx = s.usedIdx() & 0xffff;
        if (s.enabled()) {
            enable();
        }
    }

    private int read16(long a) {
        return memory.readU16(a) & 0xffff;
    }

    private long read32(long a) {
        return memory.readU32(a) & 0xffffffffL;
    }

    private long read64(long a) {
        return memory.readU64(a);
    }

    /** Guest memory errors in ring accesses become guest errors. */
    public static VirtioGuestError asGuestError(int index, GuestMemoryException e) {
        return new VirtioGuestError("queue " + index + ": " + e.getMessage());
    }
}
