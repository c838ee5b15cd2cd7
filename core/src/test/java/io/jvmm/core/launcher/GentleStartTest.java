package io.jvmm.core.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jvmm.core.os.ThreadNice;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class GentleStartTest {

    private static int niceOf(int tid) {
        return ThreadNice.tasks().stream().filter(t -> t.tid() == tid).findFirst().orElseThrow().nice();
    }

    @Test
    void startUpRunsLowerAndEveryThreadItCreatedGoesBackToZero() throws Exception {
        // CI runs as root; without CAP_SYS_NICE GentleStart does nothing (tested below)
        assumeTrue(ThreadNice.canRaise() || System.getenv("JVMM_REQUIRE_ALL") != null, "needs CAP_SYS_NICE");
        CompletableFuture<int[]> result = new CompletableFuture<>();
        // on a thread of its own, so the test runner's threads are never touched
        Thread starter = Thread.ofPlatform().start(() -> {
            try {
                int self = ThreadNice.currentTid();
                GentleStart gentle = GentleStart.begin(10);
                int duringStart = niceOf(self);
                CountDownLatch created = new CountDownLatch(1);
                CountDownLatch release = new CountDownLatch(1);
                int[] child = new int[1];
                Thread worker = Thread.ofPlatform().daemon().start(() -> {
                    try {
                        child[0] = ThreadNice.currentTid();
                        created.countDown();
                        release.await();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                created.await();
                int childDuringStart = niceOf(child[0]);
                gentle.done();
                result.complete(new int[] {duringStart, childDuringStart, niceOf(self), niceOf(child[0])});
                release.countDown();
                worker.join();
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        int[] n = result.get();
        starter.join();
        assertEquals(10, n[0], "the start-up thread during start-up");
        assertEquals(10, n[1], "a thread created during start-up inherits it");
        assertEquals(0, n[2], "the start-up thread after start-up");
        assertEquals(0, n[3], "the created thread after start-up");
    }

    @Test
    void zeroMeansOff() throws Exception {
        CompletableFuture<int[]> nice = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> {
            try {
                int self = ThreadNice.currentTid();
                int before = niceOf(self);
                GentleStart.begin(0).done();
                nice.complete(new int[] {before, niceOf(self)});
            } catch (Throwable t) {
                nice.completeExceptionally(t);
            }
        }).join();
        assertEquals(nice.get()[0], nice.get()[1], "JVMM_INCOMING_NICE=0 leaves the priority alone");
    }
}
