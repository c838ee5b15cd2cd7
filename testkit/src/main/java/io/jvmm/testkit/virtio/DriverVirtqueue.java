package io.jvmm.testkit.virtio;

import io.jvmm.testkit.QtestClient;
import io.jvmm.testkit.mem.GuestPageAllocator;
import io.jvmm.testkit.mem.GuestRam;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The driver's half of a split virtqueue (virtio 1.2, 2.7) in guest RAM: a descriptor free list,
 * the available ring the driver fills and the used ring it reads back. Not thread-safe: one
 * thread drives a queue.
 */
public final class DriverVirtqueue {
    public static final int F_NEXT = 1, F_WRITE = 2;
    public static final int VRING_USED_F_NO_NOTIFY = 1;

    private final int index;
    private final int size;
    private final GuestRam ram;
    private final QtestClient qtest;
    private final long desc;
    private final long avail;
    private final long used;
    private final Deque<Integer> free = new ArrayDeque<>();
    private long notifyAddress = -1;
    private int availIdx;
    private int lastUsed;

    public DriverVirtqueue(int index, int size, GuestRam ram, QtestClient qtest, GuestPageAllocator alloc) {
        this.index = index;
        this.size = size;
        this.ram = ram;
        this.qtest = qtest;
        this.desc = alloc.alloc(16L * size, 4096);
        this.avail = alloc.alloc(6L + 2L * size, 4096);
        this.used = alloc.alloc(6L + 8L * size, 4096);
        ram.fill(avail, 6 + 2 * size, (byte) 0);
        ram.fill(used, 6 + 8 * size, (byte) 0);
        for (int i = 0; i < size; i++) {
            free.add(i);
        }
    }

    public int index() {
        return index;
    }

    public int size() {
        return size;
    }

    public long descAddress() {
        return desc;
    }

    public long availAddress() {
        return avail;
    }

    public long usedAddress() {
        return used;
    }

    void setNotifyAddress(long a) {
        notifyAddress = a;
    }

    public int freeDescriptors() {
        return free.size();
    }

    /**
     * Adds a chain of buffers (readable ones first) to the available ring without publishing it;
     * returns the head, or -1 if there are not enough free descriptors.
     */
    public int add(long[] addresses, int[] lengths, boolean[] writable) {
        if (free.size() < addresses.length) {
            return -1;
        }
        int[] ids = new int[addresses.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = free.poll();
        }
        byte[] d = new byte[16];
        for (int i = 0; i < ids.length; i++) {
            int flags = (writable[i] ? F_WRITE : 0) | (i + 1 < ids.length ? F_NEXT : 0);
            putLe(d, 0, addresses[i], 8);
            putLe(d, 8, lengths[i], 4);
            putLe(d, 12, flags, 2);
            putLe(d, 14, i + 1 < ids.length ? ids[i + 1] : 0, 2);
            ram.write(desc + 16L * ids[i], d);
        }
        ram.writeU16(avail + 4 + 2L * (availIdx % size), ids[0]);
        availIdx = (availIdx + 1) & 0xffff;
        chains.put(ids[0], ids);
        return ids[0];
    }

    private final java.util.Map<Integer, int[]> chains = new java.util.HashMap<>();

    /** Makes the added chains visible to the device. */
    public void publish() {
        ram.writeU16(avail + 2, availIdx);
    }

    /**
     * Rings the doorbell unless the device said it needs none (VRING_USED_F_NO_NOTIFY, virtio 1.2
     * 2.7.7.2: a device that is still taking buffers, or will look again by itself, sets it). Call
     * after {@link #publish()}. Returns whether it rang: each ring is a VM exit, here a qtest round
     * trip between two processes, which is what a busy driver saves.
     */
    public boolean kick() {
        // The new available index must be visible before the flag is read, or a device that turned
        // notifications on after its last look at the index would miss these buffers (it writes
        // the flag, fences, then re-reads the index: the mirror image of this).
        VarHandle.fullFence();
        if ((ram.readU16(used) & VRING_USED_F_NO_NOTIFY) != 0) {
            return false;
        }
        qtest.writew(notifyAddress, index);
        return true;
    }

    /** Rings the doorbell whatever the device's flag says (a spurious notification is harmless). */
    public void ring() {
        qtest.writew(notifyAddress, index);
    }

    /** One used element, its chain's descriptors back on the free list; null if none. */
    public Used poll() {
        int usedIdx = ram.readU16(used + 2);
        if (usedIdx == lastUsed) {
            return null;
        }
        long e = used + 4 + 8L * (lastUsed % size);
        byte[] b = ram.read(e, 8);
        lastUsed = (lastUsed + 1) & 0xffff;
        int id = (b[0] & 0xff) | (b[1] & 0xff) << 8 | (b[2] & 0xff) << 16 | (b[3] & 0xff) << 24;
        int len = (b[4] & 0xff) | (b[5] & 0xff) << 8 | (b[6] & 0xff) << 16 | (b[7] & 0xff) << 24;
        int[] ids = chains.remove(id);
        if (ids == null) {
            throw new IllegalStateException("queue " + index + ": device returned descriptor " + id + " which is not in flight");
        }
        for (int i : ids) {
            free.add(i);
        }
        return new Used(id, len);
    }

    /** How far the device's used index is ahead of what this driver read. */
    public int pendingUsed() {
        return (ram.readU16(used + 2) - lastUsed) & 0xffff;
    }

    public record Used(int id, int length) {
    }

    private static void putLe(byte[] b, int at, long v, int n) {
        for (int i = 0; i < n; i++) {
            b[at + i] = (byte) (v >>> (8 * i));
        }
    }
}
