package io.jvmm.core.clock;

import io.jvmm.spi.clock.ClockControl;
import io.jvmm.spi.clock.VirtualClock;
import io.jvmm.spi.lifecycle.Pausable;
import java.util.PriorityQueue;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The VM's virtual clock. In manual mode (qtest) time moves only by {@link #step} and
 * {@link #set}, and due timers fire in deadline order on the caller's thread, each seeing the clock
 * at its own deadline, as QEMU's qtest clock does. In host mode time follows the host's monotonic
 * clock while the VM runs (it stands still while paused) and a timer thread fires due timers.
 * Timers always run under the device lock, like every other device callback.
 */
public final class VmClock implements VirtualClock, ClockControl, Pausable, AutoCloseable {
    private final Lock deviceLock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final PriorityQueue<TimerImpl> timers = new PriorityQueue<>();
    private long sequence;
    private boolean manual = true;
    private long manualNow;
    /** Host mode: virtual time = host nanoTime - offset while running. */
    private long hostOffset;
    private long pausedAt = -1;
    private Thread timerThread;
    private boolean closed;

    public VmClock(Lock deviceLock) {
        this.deviceLock = deviceLock;
    }

    @Override
    public long nowNanos() {
        lock.lock();
        try {
            return nowLocked();
        } finally {
            lock.unlock();
        }
    }

    private long nowLocked() {
        if (manual) {
            return manualNow;
        }
        return pausedAt >= 0 ? pausedAt : System.nanoTime() - hostOffset;
    }

    @Override
    public Timer schedule(long deadlineNanos, Runnable action) {
        lock.lock();
        try {
            TimerImpl t = new TimerImpl(deadlineNanos, ++sequence, action);
            timers.add(t);
            changed.signalAll();
            return t;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long stepToNextDeadline() {
        lock.lock();
        long target;
        try {
            requireManual("clock_step");
            TimerImpl next = timers.peek();
            target = next == null ? manualNow : Math.max(manualNow, next.deadline);
        } finally {
            lock.unlock();
        }
        return advanceTo(target);
    }

    @Override
    public long step(long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("clock_step: negative step " + nanos);
        }
        lock.lock();
        long target;
        try {
            requireManual("clock_step");
            target = Math.addExact(manualNow, nanos);
        } finally {
            lock.unlock();
        }
        return advanceTo(target);
    }

    @Override
    public long set(long nanos) {
        lock.lock();
        try {
            requireManual("clock_set");
            if (nanos < manualNow) {
                return manualNow; // never backwards, as QEMU
            }
        } finally {
            lock.unlock();
        }
        return advanceTo(nanos);
    }

    /** Fires due timers one at a time, outside the clock lock, so a timer may schedule another. */
    private long advanceTo(long target) {
        while (true) {
            TimerImpl due;
            lock.lock();
            try {
                due = timers.peek();
                if (due == null || due.deadline > target) {
                    manualNow = target;
                    return manualNow;
                }
                timers.poll();
                manualNow = Math.max(manualNow, due.deadline);
            } finally {
                lock.unlock();
            }
            fire(due);
        }
    }

    private void fire(TimerImpl t) {
        if (t.cancelled) {
            return;
        }
        deviceLock.lock();
        try {
            t.action.run();
        } finally {
            deviceLock.unlock();
        }
    }

    private void requireManual(String what) {
        if (!manual) {
            throw new IllegalStateException(what + " needs the qtest clock; this VM's clock follows host time");
        }
    }

    @Override
    public void setManual(boolean wantManual) {
        lock.lock();
        try {
            if (manual == wantManual) {
                return;
            }
            if (wantManual) {
                manualNow = nowLocked();
            } else {
                hostOffset = System.nanoTime() - manualNow;
                if (timerThread == null) {
                    timerThread = Thread.ofPlatform().daemon().name("jvmm-clock").start(this::runTimers);
                }
            }
            manual = wantManual;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void pause() {
        lock.lock();
        try {
            if (!manual && pausedAt < 0) {
                pausedAt = System.nanoTime() - hostOffset;
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void resume() {
        lock.lock();
        try {
            if (!manual && pausedAt >= 0) {
                hostOffset = System.nanoTime() - pausedAt;
                pausedAt = -1;
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    private void runTimers() {
        while (true) {
            TimerImpl due = null;
            lock.lock();
            try {
                while (!closed && due == null) {
                    TimerImpl next = timers.peek();
                    if (manual || pausedAt >= 0 || next == null) {
                        changed.awaitUninterruptibly();
                        continue;
                    }
                    long wait = next.deadline - nowLocked();
                    if (wait > 0) {
                        changed.awaitNanos(wait);
                        continue;
                    }
                    due = timers.poll();
                }
                if (closed) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            fire(due);
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            timers.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private final class TimerImpl implements Timer, Comparable<TimerImpl> {
        final long deadline;
        final long seq;
        final Runnable action;
        volatile boolean cancelled;

        TimerImpl(long deadline, long seq, Runnable action) {
            this.deadline = deadline;
            this.seq = seq;
            this.action = action;
        }

        @Override
        public void cancel() {
            cancelled = true;
            lock.lock();
            try {
                timers.remove(this);
            } finally {
                lock.unlock();
            }
        }

        @Override
        public int compareTo(TimerImpl o) {
            return deadline != o.deadline ? Long.compare(deadline, o.deadline) : Long.compare(seq, o.seq);
        }
    }
}
