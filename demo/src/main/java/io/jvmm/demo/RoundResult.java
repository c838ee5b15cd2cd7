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
 * @param tapDropped frames towards the guest the tap dropped during the round, from the target's start
 *     (a queue was full: the VMM did not read it in time)
 * @param guestDropped replies the guest dropped during the round, from the target's start (its transmit
 *     ring and its 1000-frame backlog were full: the VMM did not take its transmissions in time); losses
 *     in neither column nor refused by the host happened on the way back
 * @param hostReceiveDropped echoes the host's receiving socket dropped during the round, from the
 *     target's start (its buffer was full: the demo's receiver was late)
 * @param phases when the round's phases began ({@link System#nanoTime()} of the demo), or null if it failed
 */
public record RoundResult(String from, String to, boolean local, String status, double switchoverMillis,
        double migrateMillis, double downtimeMillis, double largestGapMillis, int tapQueuesBefore, int tapQueuesAfter,
        long sentDuring, long echoedDuring, String error, long tapDropped, long guestDropped, long hostReceiveDropped,
        Phases phases) {

    /**
     * The instants that split a round: target started, {@code migrate} sent, source stopped (STOP),
     * target running (RESUME), round over (guest moved, stopped source quit).
     */
    public record Phases(long targetStart, long migrate, long stop, long resume, long end) {
    }

    /**
     * Packets sent in each phase of a round and never echoed; {@code hostRefused}: how many of them all
     * the host's socket refused to send because the frames before them still sat in the tap, unread.
     */
    public record Loss(long targetStartUp, long setup, long switchover, long after, long hostRefused) {
        public long total() {
            return targetStartUp + setup + switchover + after;
        }
    }
}
