package io.jvmm.plugin.virtio.queue;

import io.jvmm.spi.memory.GuestMemory;
import java.lang.foreign.MemorySegment;

/**
 * One descriptor chain taken from the available ring, already validated: every buffer lies in
 * guest RAM, device-readable buffers come before device-writable ones, and the chain is no longer
 * than the queue.
 *
 * @param head the head descriptor index, returned in the used ring
 * @param addresses guest addresses of the buffers, readable ones first
 * @param lengths their lengths
 * @param readableCount how many of the buffers are device-readable
 */
public record DescriptorChain(int head, long[] addresses, int[] lengths, int readableCount) {

    public int writableCount() {
        return addresses.length - readableCount;
    }

    public long readableLength() {
        long total = 0;
        for (int i = 0; i < readableCount; i++) {
            total += lengths[i];
        }
        return total;
    }

    public long writableLength() {
        long total = 0;
        for (int i = readableCount; i < addresses.length; i++) {
            total += lengths[i];
        }
        return total;
    }

    /** The device-readable buffers as guest-memory slices, skipping the first {@code skip} bytes. */
    public MemorySegment[] readableSegments(GuestMemory memory, long skip) {
        return slices(memory, 0, readableCount, skip);
    }

    /** The device-writable buffers as guest-memory slices, skipping the first {@code skip} bytes. */
    public MemorySegment[] writableSegments(GuestMemory memory, long skip) {
        return slices(memory, readableCount, addresses.length, skip);
    }

    private MemorySegment[] slices(GuestMemory memory, int from, int to, long skip) {
        int first = from;
        long offset = skip;
        while (first < to && offset >= lengths[first]) {
            offset -= lengths[first];
            first++;
        }
        int count = 0;
        for (int i = first; i < to; i++) {
            if (lengths[i] - (i == first ? offset : 0) > 0) {
                count++;
            }
        }
        MemorySegment[] out = new MemorySegment[count];
        int n = 0;
        for (int i = first; i < to; i++) {
            long off = i == first ? offset : 0;
            long len = lengths[i] - off;
            if (len > 0) {
                out[n++] = memory.slice(addresses[i] + off, len);
            }
        }
        return out;
    }

    /** Copies up to {@code dst.length} bytes from the readable buffers, starting at {@code offset}. */
    public int readBytes(GuestMemory memory, long offset, byte[] dst) {
        return copy(memory, 0, readableCount, offset, dst, false);
    }

    /** Copies up to {@code dst.length} bytes from the writable buffers (what the device wrote). */
    public int readWritableBytes(GuestMemory memory, long offset, byte[] dst) {
        return copy(memory, readableCount, addresses.length, offset, dst, false);
    }

    /** Writes {@code src} into the writable buffers at {@code offset}; returns bytes written. */
    public int writeBytes(GuestMemory memory, long offset, byte[] src) {
        return copy(memory, readableCount, addresses.length, offset, src, true);
    }

    private int copy(GuestMemory memory, int from, int to, long offset, byte[] data, boolean write) {
        int done = 0;
        long skip = offset;
        for (int i = from; i < to && done < data.length; i++) {
            if (skip >= lengths[i]) {
                skip -= lengths[i];
                continue;
            }
            int n = (int) Math.min(lengths[i] - skip, data.length - done);
            if (write) {
                memory.write(addresses[i] + skip, data, done, n);
            } else {
                memory.read(addresses[i] + skip, data, done, n);
            }
            done += n;
            skip = 0;
        }
        return done;
    }
}
