package io.jvmm.spi.clock;

/** Lets an accelerator drive the virtual clock (qtest's clock_step and clock_set). */
public interface ClockControl {
    /** Advances to the next timer deadline (or by nothing if none); returns the new time. */
    long stepToNextDeadline();

    /** Advances by {@code nanos}, firing due timers in order; returns the new time. */
    long step(long nanos);

    /** Sets the clock forward to {@code nanos} (never backwards); returns the new time. */
    long set(long nanos);

    /** Switches the clock to follow host time (vCPU accelerators) or to manual (qtest). */
    void setManual(boolean manual);
}
