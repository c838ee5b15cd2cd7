package io.jvmm.core.clock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

class VmClockTest {

    @Test
    void manualClockFiresTimersInDeadlineOrderAtTheirDeadline() {
        VmClock clock = new VmClock(new ReentrantLock());
        List<String> fired = new ArrayList<>();
        clock.schedule(300, () -> fired.add("c@" + clock.nowNanos()));
        clock.schedule(100, () -> fired.add("a@" + clock.nowNanos()));
        clock.schedule(200, () -> fired.add("b@" + clock.nowNanos()));
        assertEquals(250, clock.step(250));
        assertEquals(List.of("a@100", "b@200"), fired);
        assertEquals(300, clock.stepToNextDeadline());
        assertEquals(List.of("a@100", "b@200", "c@300"), fired);
        assertEquals(300, clock.stepToNextDeadline(), "no timers: the clock stays");
    }

    @Test
    void setNeverGoesBackwardsAndCancelledTimersDoNotFire() {
        VmClock clock = new VmClock(new ReentrantLock());
        List<String> fired = new ArrayList<>();
        var t = clock.schedule(50, () -> fired.add("x"));
        t.cancel();
        assertEquals(1000, clock.set(1000));
        assertEquals(1000, clock.set(10));
        assertEquals(List.of(), fired);
        assertThrows(IllegalArgumentException.class, () -> clock.step(-1));
    }

    @Test
    void aTimerMayScheduleAnother() {
        VmClock clock = new VmClock(new ReentrantLock());
        List<Long> fired = new ArrayList<>();
        clock.schedule(10, () -> {
            fired.add(clock.nowNanos());
            clock.schedule(20, () -> fired.add(clock.nowNanos()));
        });
        clock.step(100);
        assertEquals(List.of(10L, 20L), fired);
    }
}
