package io.jvmm.spi.clock;

/**
 * The guest's virtual clock (QEMU_CLOCK_VIRTUAL). Under qtest it advances only through
 * clock_step/clock_set; with a vCPU accelerator it follows host time while the VM runs.
 */
public interface VirtualClock {

    long nowNanos();

    /** Runs {@code action} once the clock reaches {@code deadlineNanos}, on the device thread. */
    Timer schedule(long deadlineNanos, Runnable action);

    interface Timer {
        void cancel();
    }
}
