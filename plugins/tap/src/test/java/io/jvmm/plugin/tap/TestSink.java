package io.jvmm.plugin.tap;

import io.jvmm.spi.net.NetQueue;
import io.jvmm.spi.net.RxSink;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A NIC stand-in for one queue: a pool of native receive buffers (each split into segments, as
 * descriptor chains are), frames copied out on complete, counts of flushes and refused acquires.
 */
final class TestSink implements RxSink, NetQueue.TxSource {
    final Arena arena = Arena.ofShared();
    final LinkedBlockingQueue<byte[]> frames = new LinkedBlockingQueue<>();
    final AtomicInteger flushes = new AtomicInteger();
    final AtomicInteger nullAcquires = new AtomicInteger();
    final AtomicInteger abandoned = new AtomicInteger();
    final AtomicInteger txReady = new AtomicInteger();
    private final ArrayDeque<Buffers> free = new ArrayDeque<>();
    private final int bufferSize;
    private final int segments;
    private final boolean recycle;

    record Buffers(MemorySegment[] segments) implements RxBuffers {
    }

    /**
     * @param buffers buffers posted at start
     * @param recycle whether a completed buffer is posted again (a guest that keeps up)
     */
    TestSink(int buffers, int bufferSize, int segments, boolean recycle) {
        this.bufferSize = bufferSize;
        this.segments = segments;
        this.recycle = recycle;
        post(buffers);
    }

    /** Posts more buffers (the NIC then calls rxReady()). */
    void post(int n) {
        List<Buffers> made = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            MemorySegment whole = arena.allocate(bufferSize, 64);
            MemorySegment[] parts = new MemorySegment[segments];
            long part = bufferSize / segments;
            for (int s = 0; s < segments; s++) {
                long len = s == segments - 1 ? bufferSize - part * s : part;
                parts[s] = whole.asSlice(part * s, len);
            }
            made.add(new Buffers(parts));
        }
        synchronized (free) {
            free.addAll(made);
        }
    }

    @Override
    public RxBuffers acquire(int maxFrameLength) {
        synchronized (free) {
            Buffers b = free.poll();
            if (b == null) {
                nullAcquires.incrementAndGet();
            }
            return b;
        }
    }

    @Override
    public void complete(RxBuffers buffers, int length) {
        byte[] out = new byte[length];
        int at = 0;
        for (MemorySegment s : buffers.segments()) {
            int n = (int) Math.min(s.byteSize(), length - at);
            MemorySegment.copy(s, ValueLayout.JAVA_BYTE, 0, out, at, n);
            at += n;
            if (at == length) {
                break;
            }
        }
        frames.add(out);
        if (recycle) {
            synchronized (free) {
                free.add((Buffers) buffers);
            }
        }
    }

    @Override
    public void abandon(RxBuffers buffers) {
        abandoned.incrementAndGet();
        synchronized (free) {
            free.addFirst((Buffers) buffers);
        }
    }

    @Override
    public void flush() {
        flushes.incrementAndGet();
    }

    @Override
    public void txReady() {
        txReady.incrementAndGet();
    }

    byte[] next(long timeoutMillis) throws InterruptedException {
        return frames.poll(timeoutMillis, TimeUnit.MILLISECONDS);
    }

    void close() {
        arena.close();
    }
}
