package io.jvmm.plugin.tap;

import io.jvmm.spi.net.NetQueue;
import io.jvmm.spi.net.RxSink;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One tap queue: a descriptor, and an I/O thread that moves frames from it into the NIC's receive
 * buffers. Sends run on the caller's thread (a vectored write is one syscall; a thread hop would
 * cost more than it saves).
 *
 * <p>The I/O thread sleeps in {@code poll} on the tap and an eventfd used to wake it. Per wake-up it
 * reads up to {@link #BATCH} frames straight into guest buffers ({@code readv}), then calls
 * {@link RxSink#flush()} once. It does not poll for input while the NIC has no buffers
 * ({@link RxSink#acquire} returned null) until {@link #rxReady()}: frames then wait in the kernel.
 *
 * <p>A queue starts paused. While paused, disabled, handed over, or without a descriptor (a
 * migration target waiting for it), the thread waits on a condition and touches neither the
 * descriptor nor guest memory, and {@link #send} refuses frames.
 */
final class TapQueue implements NetQueue {
    private static final Logger LOG = LoggerFactory.getLogger(TapQueue.class);

    /** Frames read per wake-up before polling again (keeps pause and tx-ready latency bounded). */
    static final int BATCH = 64;
    private static final long PAUSE_WAIT_WARN_MS = 2000;

    private final String name;
    private final int index;
    private final boolean multiQueue;
    private final IntSupplier maxFrameLength;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    // Guarded by lock; volatile so the I/O thread and send() can read them without it.
    private volatile int fd;
    private volatile boolean paused = true;
    private volatile boolean enabled = true;
    private volatile boolean handedOver;
    private volatile boolean stopping;
    /** The tap reported an error (interface deleted): the queue moves nothing until close. */
    private volatile boolean failed;
    private boolean parked;
    private boolean threadExited;

    private volatile RxSink sink;
    private volatile TxSource txSource;
    /** The NIC had no buffers; no POLLIN until rxReady(). */
    private final AtomicBoolean rxBlocked = new AtomicBoolean();
    /** A send was refused; POLLOUT until the tap takes frames again, then txReady(). */
    private volatile boolean txWaiting;

    /** Serializes senders with each other, with pause() and with close(). */
    private final ReentrantLock txLock = new ReentrantLock();

    private final Arena arena = Arena.ofShared();
    private final int wakeFd;
    private final MemorySegment wakeValue;
    private final MemorySegment wakeState;
    // I/O thread scratch
    private final MemorySegment rxState;
    private final MemorySegment rxIov;
    private final MemorySegment pollFds;
    private final MemorySegment drainBuf;
    // sender scratch (guarded by txLock)
    private final MemorySegment txState;
    private final MemorySegment txIov;

    private final Thread thread;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Object wakeGuard = new Object();
    private boolean wakeClosed;

    // Counters: rx* written by the I/O thread only, tx* under txLock.
    private volatile long rxFrames;
    private volatile long rxBytes;
    private volatile long rxDropped;
    private volatile long txFrames;
    private volatile long txBytes;
    private volatile long txDropped;
    private volatile long wakeups;
    private boolean loggedTxError;
    private boolean loggedRxError;

    /**
     * @param fd the queue's descriptor (owned: closed by {@link #close}), or -1 until
     *     {@link #adopt} gives one
     */
    TapQueue(String netdevId, int index, int fd, boolean multiQueue, IntSupplier maxFrameLength, boolean platformThread) {
        this.name = netdevId + " queue " + index;
        this.index = index;
        this.fd = fd;
        this.multiQueue = multiQueue;
        this.maxFrameLength = maxFrameLength;
        rxState = TapNative.newCallState(arena);
        txState = TapNative.newCallState(arena);
        wakeState = TapNative.newCallState(arena);
        rxIov = arena.allocate(TapNative.IOVEC_SIZE * TapNative.IOV_MAX, 8);
        txIov = arena.allocate(TapNative.IOVEC_SIZE * TapNative.IOV_MAX, 8);
        pollFds = arena.allocate(TapNative.POLLFD_SIZE * 2, 8);
        drainBuf = arena.allocate(8, 8);
        wakeValue = arena.allocate(8, 8);
        wakeValue.set(ValueLayout.JAVA_LONG, 0, 1L);
        wakeFd = TapNative.eventfd(wakeState, 0, TapNative.EFD_CLOEXEC | TapNative.EFD_NONBLOCK);
        if (wakeFd < 0) {
            arena.close();
            throw new IllegalStateException(name + ": eventfd failed: " + TapNative.describe(TapNative.errno(wakeState)));
        }
        // Platform threads: the I/O thread blocks in poll(), a native call that would pin a virtual
        // thread's carrier for as long as the queue is idle.
        Thread.Builder builder = platformThread ? Thread.ofPlatform().daemon(true) : Thread.ofVirtual();
        thread = builder.name("tap-" + netdevId + "-q" + index).unstarted(this::run);
        thread.start();
    }

    @Override
    public int index() {
        return index;
    }

    int fd() {
        return fd;
    }

    /** The eventfd that wakes the I/O thread (also a harmless non-tap descriptor for warm-ups). */
    int wakeFd() {
        return wakeFd;
    }

    @Override
    public void attach(RxSink sink, TxSource source) {
        this.sink = sink;
        this.txSource = source;
        rxBlocked.set(false);
        wake();
    }

    @Override
    public void rxReady() {
        if (rxBlocked.compareAndSet(true, false)) {
            wake();
        }
    }

    @Override
    public boolean send(MemorySegment[] segments) {
        txLock.lock();
        try {
            if (paused || handedOver || fd < 0 || closed.get()) {
                // Stopped VM, or the descriptor belongs to another process now: move nothing. The
                // NIC retries after txReady(), which follows resume().
                txWaiting = true;
                return false;
            }
            if (!enabled || failed) {
                txDropped++;
                return true;
            }
            int count = TapIovec.fill(txIov, segments);
            while (true) {
                long n = TapNative.writev(txState, fd, txIov, count);
                if (n >= 0) {
                    txFrames++;
                    txBytes += n;
                    return true;
                }
                int errno = TapNative.errno(txState);
                if (errno == TapNative.EINTR) {
                    continue;
                }
                if (errno == TapNative.EAGAIN) {
                    txWaiting = true;
                    wake();
                    return false;
                }
                // A frame the kernel refuses (EINVAL for a malformed vnet header from the guest,
                // EIO when the interface is down) is dropped; the guest must not stop the queue.
                txDropped++;
                if (!loggedTxError) {
                    loggedTxError = true;
                    LOG.warn("{}: tap refused a frame ({}); dropping such frames (logged once)", name,
                            TapNative.describe(errno));
                }
                return true;
            }
        } finally {
            txLock.unlock();
        }
    }

    @Override
    public void setEnabled(boolean enable) {
        lock.lock();
        try {
            if (enable == enabled || closed.get()) {
                return;
            }
            if (handedOver || failed) {
                LOG.debug("{}: setEnabled({}) recorded only: the tap was {}", name, enable,
                        handedOver ? "handed over" : "lost");
                enabled = enable;
                return;
            }
            if (!enable) {
                enabled = false;
                wake();
                if (Thread.currentThread() != thread) {
                    awaitParked();
                }
                queueIoctl(TapNative.IFF_DETACH_QUEUE);
            } else {
                queueIoctl(TapNative.IFF_ATTACH_QUEUE);
                enabled = true;
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** TUNSETQUEUE on a multi_queue tap (a single-queue tap just stops moving frames). */
    private void queueIoctl(int flag) {
        if (!multiQueue || fd < 0) {
            return;
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = TapNative.newCallState(a);
            MemorySegment ifr = TapNative.ifreq(a, "", flag);
            if (TapNative.ioctl(state, fd, TapNative.TUNSETQUEUE, ifr) < 0) {
                throw new IllegalStateException(name + ": TUNSETQUEUE "
                        + (flag == TapNative.IFF_ATTACH_QUEUE ? "attach" : "detach") + " failed: "
                        + TapNative.describe(TapNative.errno(state)));
            }
        }
    }

    @Override
    public boolean enabled() {
        return enabled;
    }

    /** Returns once the I/O thread is parked and no send is in progress. */
    void pause() {
        lock.lock();
        try {
            paused = true;
            wake();
            if (Thread.currentThread() != thread) {
                // Called from a NIC callback on this queue's own thread, the thread parks as soon as
                // the callback returns (it checks paused between frames); waiting here would deadlock.
                awaitParked();
            }
        } finally {
            lock.unlock();
        }
        // A sender that got past its check before paused was set finishes its one writev here.
        txLock.lock();
        txLock.unlock();
    }

    void resume() {
        lock.lock();
        try {
            paused = false;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Source side of a local migration: the descriptor is the target's now; never touch it again. */
    void handOver() {
        lock.lock();
        try {
            handedOver = true;
            wake();
            awaitParked();
        } finally {
            lock.unlock();
        }
        txLock.lock();
        txLock.unlock();
    }

    /** Target side: takes the descriptor received from the source (queue is paused). */
    void adopt(int newFd, boolean enable) {
        lock.lock();
        try {
            if (fd >= 0) {
                throw new IllegalStateException(name + " already has descriptor " + fd);
            }
            fd = newFd;
            enabled = enable;
            if (!paused) {
                // Paused (the normal case in a migration) the thread would only park again: no
                // wake-up, no context switch inside the switchover.
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Target side, migration aborted: closes the received descriptor (queue is paused). */
    void releaseDescriptor() {
        lock.lock();
        try {
            awaitParked();
            int old = fd;
            fd = -1;
            enabled = true;
            if (old >= 0) {
                txLock.lock();
                try {
                    TapNative.close(txState, old);
                } finally {
                    txLock.unlock();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    boolean failed() {
        return failed;
    }

    boolean pausedNow() {
        return paused;
    }

    /** Must hold lock. Waits until the I/O thread sits in its condition wait. */
    private void awaitParked() {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PAUSE_WAIT_WARN_MS);
        boolean warned = false;
        while (!parked && !threadExited) {
            long left = deadline - System.nanoTime();
            if (left <= 0 && !warned) {
                warned = true;
                LOG.warn("{}: I/O thread has not stopped after {} ms (a NIC callback is blocking it)", name,
                        PAUSE_WAIT_WARN_MS);
            }
            try {
                changed.await(warned ? 1000 : Math.max(left, 1), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(name + ": interrupted while waiting for the I/O thread to stop", e);
            }
            if (warned) {
                wake();
            }
        }
    }

    private void wake() {
        // Under wakeGuard so that close() cannot free the eventfd and the arena in the middle of a
        // wake-up called from a NIC thread (rxReady, attach, a refused send).
        synchronized (wakeGuard) {
            if (wakeClosed) {
                return;
            }
            // Fails only with EAGAIN when the counter is already huge: the thread is being woken anyway.
            TapNative.write(wakeState, wakeFd, wakeValue, 8);
        }
    }

    private void run() {
        try {
            while (awaitRunnable()) {
                pollOnce();
            }
        } catch (Throwable t) {
            LOG.error("{}: I/O thread failed; this queue moves no more frames", name, t);
        } finally {
            lock.lock();
            try {
                threadExited = true;
                parked = false;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Parks while there is nothing this thread may do; false when the queue is closing. */
    private boolean awaitRunnable() {
        lock.lock();
        try {
            while (!stopping && (paused || handedOver || !enabled || failed || fd < 0)) {
                if (!parked) {
                    parked = true;
                    changed.signalAll();
                }
                changed.awaitUninterruptibly();
            }
            parked = false;
            return !stopping;
        } finally {
            lock.unlock();
        }
    }

    private void pollOnce() {
        int tapFd = fd;
        short events = 0;
        RxSink rx = sink;
        if (rx != null && !rxBlocked.get()) {
            events |= TapNative.POLLIN;
        }
        if (txWaiting) {
            events |= TapNative.POLLOUT;
        }
        pollFds.set(ValueLayout.JAVA_INT, 0, tapFd);
        pollFds.set(ValueLayout.JAVA_SHORT, 4, events);
        pollFds.set(ValueLayout.JAVA_SHORT, 6, (short) 0);
        pollFds.set(ValueLayout.JAVA_INT, 8, wakeFd);
        pollFds.set(ValueLayout.JAVA_SHORT, 12, TapNative.POLLIN);
        pollFds.set(ValueLayout.JAVA_SHORT, 14, (short) 0);
        int n = TapNative.poll(rxState, pollFds, 2, -1);
        if (n < 0) {
            int errno = TapNative.errno(rxState);
            if (errno == TapNative.EINTR) {
                return;
            }
            throw new IllegalStateException(name + ": poll failed: " + TapNative.describe(errno));
        }
        wakeups++;
        short wakeEvents = pollFds.get(ValueLayout.JAVA_SHORT, 14);
        if ((wakeEvents & TapNative.POLLIN) != 0) {
            TapNative.read(rxState, wakeFd, drainBuf, 8);
        }
        if (paused || handedOver || stopping || !enabled || failed) {
            return;
        }
        short revents = pollFds.get(ValueLayout.JAVA_SHORT, 6);
        if ((revents & (TapNative.POLLERR | TapNative.POLLHUP | TapNative.POLLNVAL)) != 0) {
            // The interface was deleted behind our back: stop polling it (it would report the error
            // forever); sends are dropped so the NIC never stalls.
            LOG.warn("{}: tap reports {} (interface deleted?); the queue stops", name,
                    (revents & TapNative.POLLNVAL) != 0 ? "POLLNVAL" : (revents & TapNative.POLLHUP) != 0 ? "POLLHUP" : "POLLERR");
            failed = true;
            return;
        }
        if ((revents & TapNative.POLLIN) != 0 && rx != null) {
            receiveBatch(rx, tapFd);
        }
        if ((revents & TapNative.POLLOUT) != 0 && txWaiting) {
            txWaiting = false;
            TxSource tx = txSource;
            if (tx != null) {
                tx.txReady();
            }
        }
    }

    /** Reads up to BATCH frames straight into the NIC's buffers, then flushes once. */
    private void receiveBatch(RxSink rx, int tapFd) {
        int max = maxFrameLength.getAsInt();
        int frames = 0;
        RxSink.RxBuffers buffers = null;
        try {
            while (frames < BATCH && !paused && !handedOver) {
                buffers = rx.acquire(max);
                if (buffers == null) {
                    rxBlocked.set(true);
                    // Buffers posted between the null and the flag would not call rxReady(): look again.
                    buffers = rx.acquire(max);
                    if (buffers == null) {
                        break;
                    }
                    rxBlocked.set(false);
                }
                int count = TapIovec.fill(rxIov, buffers.segments());
                long capacity = TapIovec.capacity(rxIov, count);
                if (capacity == 0) {
                    throw new IllegalArgumentException("the NIC offered receive buffers of 0 bytes");
                }
                long n = TapNative.readv(rxState, tapFd, rxIov, count);
                if (n < 0) {
                    int errno = TapNative.errno(rxState);
                    RxSink.RxBuffers unused = buffers;
                    buffers = null;
                    rx.abandon(unused);
                    if (errno == TapNative.EAGAIN) {
                        break;
                    }
                    if (errno == TapNative.EINTR) {
                        continue;
                    }
                    rxDropped++;
                    if (!loggedRxError) {
                        loggedRxError = true;
                        LOG.warn("{}: read from tap failed: {} (logged once)", name, TapNative.describe(errno));
                    }
                    break;
                }
                if (n > capacity) {
                    // tap reports the frame's full length but copied only what fitted: a truncated
                    // frame must not reach the guest.
                    RxSink.RxBuffers unused = buffers;
                    buffers = null;
                    rx.abandon(unused);
                    rxDropped++;
                    if (!loggedRxError) {
                        loggedRxError = true;
                        LOG.warn("{}: a {}-byte frame did not fit the {} bytes of receive buffers; dropped (logged once)",
                                name, n, capacity);
                    }
                    continue;
                }
                RxSink.RxBuffers filled = buffers;
                buffers = null;
                rx.complete(filled, (int) n);
                rxFrames++;
                rxBytes += n;
                frames++;
            }
        } catch (RuntimeException e) {
            if (buffers != null) {
                rx.abandon(buffers);
            }
            // Wait for the NIC to post buffers again rather than spin on a failing sink.
            rxBlocked.set(true);
            LOG.error("{}: receive failed; waiting for rxReady()", name, e);
        } finally {
            if (frames > 0) {
                rx.flush();
            }
        }
    }

    /** Statistics for logs, tests and benchmarks. */
    record Stats(long rxFrames, long rxBytes, long rxDropped, long txFrames, long txBytes, long txDropped, long wakeups) {
    }

    Stats stats() {
        return new Stats(rxFrames, rxBytes, rxDropped, txFrames, txBytes, txDropped, wakeups);
    }

    /** Stops the I/O thread and closes the tap descriptor and the eventfd, once. */
    void close() {
        close(true);
    }

    /** Like close(), but leaves the tap descriptor open (its owner closes it). */
    void closeKeepingDescriptor() {
        close(false);
    }

    private void close(boolean closeTapFd) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        lock.lock();
        try {
            stopping = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        wake();
        try {
            if (!thread.join(java.time.Duration.ofSeconds(5))) {
                LOG.error("{}: I/O thread did not stop within 5 s; leaving its descriptors open", name);
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        txLock.lock();
        try {
            int tapFd = fd;
            fd = -1;
            if (tapFd >= 0 && closeTapFd) {
                TapNative.close(txState, tapFd);
            }
            synchronized (wakeGuard) {
                wakeClosed = true;
                TapNative.close(txState, wakeFd);
            }
        } finally {
            txLock.unlock();
        }
        arena.close();
    }

    @Override
    public String toString() {
        return name;
    }
}
