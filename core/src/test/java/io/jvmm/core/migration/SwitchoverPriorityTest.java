package io.jvmm.core.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jvmm.core.os.ThreadNice;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class SwitchoverPriorityTest {

    @Test
    void settingIsANiceValueFromMinusTwentyToZeroAndABadOneFallsBackToTheDefault() {
        assertEquals(-10, SwitchoverPriority.setting(null));
        assertEquals(-10, SwitchoverPriority.setting(" "));
        assertEquals(0, SwitchoverPriority.setting("0"), "0 = off");
        assertEquals(-5, SwitchoverPriority.setting(" -5 "));
        assertEquals(-20, SwitchoverPriority.setting("-20"));
        assertEquals(-10, SwitchoverPriority.setting("5"), "a lower priority is not a boost");
        assertEquals(-10, SwitchoverPriority.setting("-21"));
        assertEquals(-10, SwitchoverPriority.setting("high"));
    }

    @Test
    void raisesOnlyTheCallingThreadAndRestoresZero() throws Exception {
        assumeTrue(ThreadNice.canRaise() || System.getenv("JVMM_REQUIRE_ALL") != null, "needs CAP_SYS_NICE");
        int runner = FakeNic.currentNice();
        CompletableFuture<int[]> seen = new CompletableFuture<>();
        // a thread of its own: the test runner's threads are never touched
        Thread.ofPlatform().start(() -> {
            try {
                SwitchoverPriority p = SwitchoverPriority.of(-7);
                int before = FakeNic.currentNice();
                p.raise();
                int during = FakeNic.currentNice();
                p.raise(); // idempotent
                p.restore();
                int after = FakeNic.currentNice();
                p.restore(); // idempotent
                seen.complete(new int[] {p.nice(), before, during, after, FakeNic.currentNice()});
            } catch (Throwable t) {
                seen.completeExceptionally(t);
            }
        }).join();
        int[] n = seen.get();
        assertEquals(-7, n[0]);
        assertEquals(0, n[1], "before");
        assertEquals(-7, n[2], "during the switchover");
        assertEquals(0, n[3], "after");
        assertEquals(0, n[4], "after a second restore");
        assertEquals(runner, FakeNic.currentNice(), "the test's own thread untouched");
    }

    @Test
    void zeroLeavesThePriorityAlone() throws Exception {
        CompletableFuture<Integer> seen = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> {
            SwitchoverPriority p = SwitchoverPriority.of(0);
            p.raise();
            seen.complete(FakeNic.currentNice());
            p.restore();
        }).join();
        assertEquals(0, seen.get());
    }
}
