package io.jvmm.demo;

/**
 * One migration of the demo.
 *
 * @param switchoverMillis source STOP event to target RESUME event (both VMMs' own timestamps, one
 *     host clock): how long the guest was not running anywhere
 * @param migrateMillis {@code migrate} sent to the target's RESUME event
 * @param downtimeMillis the downtime the source itself reports in {@code query-migrate}
 * @param largestGapMillis the longest time without an echo during this round
 * @param echoedDuring echoes counted between {@code migrate} and the end of the round
 * @param tapDropped frames towards the guest the tap dropped during the round (a queue was full: the
 *     VMM did not read it in time); the rest of the round's losses happened in the guest or on the way back
 * @param phases when the round's phases began ({@link System#nanoTime()} of the demo), or null if it failed
 */
public record RoundResult(String from, String to, boolean local, String status, double switchoverMillis,
        double migrateMillis, double downtimeMillis, double largestGapMillis, int tapQueuesBefore, int tapQueuesAfter,
        long sentDuring, long echoedDuring, String error, long tapDropped, Phases phases) {

    /**
     * The instants that split a round: target started, {@code migrate} sent, source stopped (STOP),
     * target running (RESUME), round over (guest moved, stopped source quit).
     */
    public record Phases(long targetStart, long migrate, long stop, long resume, long end) {
    }

    /** Packets sent in each phase of a round and never echoed. */
    public record Loss(long targetStartUp, long setup, long switchover, long after) {
        public long total() {
            return targetStartUp + setup + switchover + after;
        }
    }
}
