package io.jvmm.plugin.virtio.net;

import io.jvmm.plugin.virtio.queue.DescriptorChain;
import io.jvmm.plugin.virtio.queue.SplitVirtqueue;
import io.jvmm.plugin.virtio.queue.VirtioGuestError;
import io.jvmm.spi.memory.GuestMemory;
import io.jvmm.spi.memory.GuestMemoryException;
import io.jvmm.spi.net.NetQueue;
import io.jvmm.spi.net.RxSink;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;

/**
 * One receive/transmit queue pair tied to one backend queue. Receive: the backend's I/O thread
 * takes guest buffers ({@link #acquire}), reads a frame straight into them and hands them back
 * ({@link #complete}). Transmit: a kick (or {@link #txReady}) gathers each chain and passes the
 * guest memory to the backend without copying. Each direction holds its own virtqueue's lock.
 */
final class NetQueuePair implements RxSink, NetQueue.TxSource {

    private final int index;
    private final VirtioNetDevice device;
    private final SplitVirtqueue rx;
    private final SplitVirtqueue tx;
    private final NetQueue backendQueue;
    private final Condition rxIdle;

    // under rx.lock()
    /** The backend was told "no buffers": call rxReady() once there are some. */
    private boolean rxWanted;
    private boolean rxNotifyPending;
    private int rxInFlight;

    // under tx.lock()
    /** A chain the backend refused; sent first when it is ready again. */
    private DescriptorChain txPending;

    final AtomicLong rxFrames = new AtomicLong();
    final AtomicLong rxFiltered = new AtomicLong();
    final AtomicLong txFrames = new AtomicLong();

    NetQueuePair(int index, VirtioNetDevice device, SplitVirtqueue rx, SplitVirtqueue tx, NetQueue backendQueue) {
        this.index = index;
        this.device = device;
        this.rx = rx;
        this.tx = tx;
        this.backendQueue = backendQueue;
        this.rxIdle = rx.lock().newCondition();
    }

    int index() {
        return index;
    }

    NetQueue backendQueue() {
        return backendQueue;
    }

    /** Buffers taken for one frame: the chains in ring order and where the frame goes in them. */
    private record RxFrame(long generation, List<DescriptorChain> chains, int endAvailIdx, MemorySegment[] segments)
            implements RxBuffers {
    }

    // ---- receive (backend I/O thread) ------------------------------------------------------

    @Override
    public RxBuffers acquire(int maxFrameLength) {
        rx.lock().lock();
        try {
            if (!device.dataPathAllowed(index, rx)) {
                rxWanted = true;
                return null;
            }
            int hdr = device.headerLength();
            boolean backendHeader = device.backendHasHeader();
            boolean mergeable = device.mergeableRxBuffers();
            long need = Math.min(backendHeader ? maxFrameLength : (long) maxFrameLength + hdr, device.rxFrameLimit());
            List<DescriptorChain> chains = new ArrayList<>(mergeable ? 4 : 1);
            long total = 0;
            while (chains.isEmpty() || (mergeable && total < need)) {
                DescriptorChain c = rx.pop();
                if (c == null) {
                    // Ask for a kick, then look once more: the driver may have added buffers meanwhile.
                    rx.setDeviceNotifications(true);
                    c = rx.pop();
                    if (c == null) {
                        break;
                    }
                }
                chains.add(c);
                if (c.readableCount() != 0 || (chains.size() == 1 && c.writableLength() < hdr)) {
                    rx.unpop(chains.size());
                    throw new VirtioGuestError("queue " + rx.index() + ": receive buffer " + c.head()
                            + " is not a device-writable buffer with room for the " + hdr + "-byte header");
                }
                total += c.writableLength();
            }
            if (chains.isEmpty() || (mergeable && total < need)) {
                rx.unpop(chains.size());
                rxWanted = true;
                return null;
            }
            // Buffers in hand: the backend's thread comes back for more on its own, so the driver
            // need not kick after reposting (as QEMU's virtio_net_has_buffers). Each kick is a VM
            // exit (a qtest round trip here); the flag is turned on again above when the ring runs dry.
            rx.setDeviceNotifications(false);
            GuestMemory mem = rx.memory();
            MemorySegment[] segments = gatherWritable(mem, chains, backendHeader ? 0 : hdr);
            rxInFlight++;
            return new RxFrame(rx.generation(), chains, rx.lastAvailIdx(), segments);
        } catch (VirtioGuestError e) {
            device.guestError(e.getMessage());
            return null;
        } catch (GuestMemoryException e) {
            device.guestError("queue " + rx.index() + ": " + e.getMessage());
            return null;
        } finally {
            rx.lock().unlock();
        }
    }

    private static MemorySegment[] gatherWritable(GuestMemory mem, List<DescriptorChain> chains, int skipFirst) {
        if (chains.size() == 1) {
            return chains.getFirst().writableSegments(mem, skipFirst);
        }
        List<MemorySegment> all = new ArrayList<>();
        for (int i = 0; i < chains.size(); i++) {
            all.addAll(List.of(chains.get(i).writableSegments(mem, i == 0 ? skipFirst : 0)));
        }
        return all.toArray(MemorySegment[]::new);
    }

    @Override
    public void complete(RxBuffers buffers, int length) {
        RxFrame frame = (RxFrame) buffers;
        rx.lock().lock();
        try {
            finished();
            if (frame.generation() != rx.generation() || !rx.enabled()) {
                return; // the queue was reset while the frame was being read: drop it
            }
            GuestMemory mem = rx.memory();
            int hdr = device.headerLength();
            long frameLength = device.backendHasHeader() ? length : (long) length + hdr;
            DescriptorChain first = frame.chains().getFirst();
            if (!device.backendHasHeader()) {
                first.writeBytes(mem, 0, new byte[hdr]); // no offloads: an all-zero header
            }
            byte[] eth = new byte[16];
            int got = readFrame(mem, frame.chains(), hdr, eth);
            if (got < 14 || !device.filter().accepts(eth, device.mac())) {
                rxFiltered.incrementAndGet();
                giveBack(frame, frame.chains().size());
                return;
            }
            long remaining = frameLength;
            int used = 0;
            for (DescriptorChain c : frame.chains()) {
                if (remaining <= 0) {
                    break;
                }
                long n = Math.min(c.writableLength(), remaining);
                rx.addUsed(c.head(), (int) n);
                remaining -= n;
                used++;
            }
            if (hdr == 12) {
                // num_buffers: the spec says the device writes it (1 without MRG_RXBUF); QEMU 7.2 does
                // not write it without MRG_RXBUF. See docs/virtio-net.md.
                first.writeBytes(mem, 10, new byte[] {(byte) used, (byte) (used >>> 8)});
            }
            giveBack(frame, frame.chains().size() - used);
            rx.publishUsed();
            rxNotifyPending = true;
            rxFrames.incrementAndGet();
        } catch (GuestMemoryException e) {
            device.guestError("queue " + rx.index() + ": " + e.getMessage());
        } finally {
            rx.lock().unlock();
        }
    }

    private static int readFrame(GuestMemory mem, List<DescriptorChain> chains, long offset, byte[] dst) {
        // The Ethernet header may straddle buffers; in practice it sits in the first chain.
        int done = 0;
        long skip = offset;
        for (DescriptorChain c : chains) {
            long len = c.writableLength();
            if (skip >= len) {
                skip -= len;
                continue;
            }
            byte[] part = new byte[(int) Math.min(dst.length - done, len - skip)];
            int n = c.readWritableBytes(mem, skip, part);
            System.arraycopy(part, 0, dst, done, n);
            done += n;
            skip = 0;
            if (done == dst.length) {
                break;
            }
        }
        return done;
    }

    /**
     * Returns the last {@code count} chains of a frame unused. If nothing was taken after them they
     * go back to the available ring; otherwise they are completed empty (a driver drops those).
     */
    private void giveBack(RxFrame frame, int count) {
        if (count <= 0) {
            return;
        }
        if (rx.lastAvailIdx() == frame.endAvailIdx()) {
            rx.unpop(count);
        } else {
            List<DescriptorChain> chains = frame.chains();
            for (int i = chains.size() - count; i < chains.size(); i++) {
                rx.addUsed(chains.get(i).head(), 0);
            }
            rx.publishUsed();
            rxNotifyPending = true;
        }
    }

    @Override
    public void abandon(RxBuffers buffers) {
        RxFrame frame = (RxFrame) buffers;
        rx.lock().lock();
        try {
            finished();
            if (frame.generation() == rx.generation() && rx.enabled()) {
                giveBack(frame, frame.chains().size());
            }
        } finally {
            rx.lock().unlock();
        }
    }

    private void finished() {
        if (--rxInFlight == 0) {
            rxIdle.signalAll();
        }
    }

    @Override
    public void flush() {
        rx.lock().lock();
        try {
            if (rxNotifyPending) {
                rxNotifyPending = false;
                if (rx.enabled() && rx.shouldNotify()) {
                    device.transport().notifyQueue(rx);
                }
            }
        } catch (GuestMemoryException e) {
            device.guestError("queue " + rx.index() + ": " + e.getMessage());
        } finally {
            rx.lock().unlock();
        }
    }

    /** The driver kicked the receive queue: new buffers. Wakes the backend if it was waiting. */
    void rxKicked() {
        boolean wake;
        rx.lock().lock();
        try {
            wake = rxWanted && device.dataPathAllowed(index, rx);
            if (wake) {
                rxWanted = false;
            }
        } finally {
            rx.lock().unlock();
        }
        if (wake) {
            backendQueue.rxReady();
        }
    }

    /** Resumed, started or enabled: let the backend try again whatever it was refused. */
    void restart() {
        rx.lock().lock();
        try {
            rxWanted = false;
        } finally {
            rx.lock().unlock();
        }
        backendQueue.rxReady();
        // Always look at the transmit ring: a kick may have been deferred here, or (after a
        // migration) the driver kicked the source for chains the source never took.
        processTx();
    }

    /** Waits (bounded) until no frame is between acquire and complete, so a pause is a real stop. */
    void awaitRxIdle(long timeoutMillis) {
        rx.lock().lock();
        try {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            while (rxInFlight > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    device.log().warn("{}: queue pair {}: {} received frame(s) still in flight after pause",
                            device.id(), index, rxInFlight);
                    return;
                }
                rxIdle.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            rx.lock().unlock();
        }
    }

    /**
     * Pausing: a chain the backend refused goes back to the available ring, so the saved queue
     * state has no chain that was taken but never completed (a migration target takes it again).
     */
    void returnPendingTx() {
        tx.lock().lock();
        try {
            if (txPending != null) {
                tx.unpop(1); // it is the last chain taken: nothing is popped after a refusal
                txPending = null;
            }
        } finally {
            tx.lock().unlock();
        }
    }

    /** Forgets buffers held across a reset (the queues were already reset). */
    void reset() {
        tx.lock().lock();
        try {
            txPending = null;
        } finally {
            tx.lock().unlock();
        }
        rx.lock().lock();
        try {
            rxWanted = false;
            rxNotifyPending = false;
        } finally {
            rx.lock().unlock();
        }
    }

    // ---- transmit ----------------------------------------------------------------------------

    @Override
    public void txReady() {
        processTx();
    }

    /** Sends every available transmit chain, until the ring is empty or the backend is full. */
    void processTx() {
        tx.lock().lock();
        try {
            if (!device.dataPathAllowed(index, tx)) {
                return; // paused or not running: restart() looks at the ring again
            }
            GuestMemory mem = tx.memory();
            int hdr = device.headerLength();
            int skip = device.backendHasHeader() ? 0 : hdr;
            int sent = 0;
            tx.setDeviceNotifications(false);
            while (true) {
                DescriptorChain c = txPending != null ? txPending : tx.pop();
                txPending = null;
                if (c == null) {
                    tx.setDeviceNotifications(true);
                    if (tx.available() == 0) {
                        break;
                    }
                    tx.setDeviceNotifications(false);
                    continue;
                }
                if (c.readableLength() < hdr) {
                    throw new VirtioGuestError("queue " + tx.index() + ": transmit chain " + c.head() + " has "
                            + c.readableLength() + " bytes, less than the " + hdr + "-byte header");
                }
                MemorySegment[] segments = c.readableSegments(mem, skip);
                if (!backendQueue.send(segments)) {
                    txPending = c; // retried on txReady(); kicks meanwhile find it here
                    break;
                }
                tx.addUsed(c.head(), 0);
                sent++;
                if ((sent & 63) == 0) {
                    tx.publishUsed(); // let the driver reclaim buffers during long bursts
                }
            }
            if (sent > 0) {
                txFrames.addAndGet(sent);
                tx.publishUsed();
                if (tx.shouldNotify()) {
                    device.transport().notifyQueue(tx);
                }
            }
        } catch (VirtioGuestError e) {
            device.guestError(e.getMessage());
        } catch (GuestMemoryException e) {
            device.guestError("queue " + tx.index() + ": " + e.getMessage());
        } finally {
            tx.lock().unlock();
        }
    }
}
