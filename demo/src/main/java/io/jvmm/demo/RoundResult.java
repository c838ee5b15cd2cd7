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
 */
public record RoundResult(String from, String to, boolean local, String status, double switchoverMillis,
        double migrateMillis, double downtimeMillis, double largestGapMillis, int tapQueuesBefore, int tapQueuesAfter,
        long sentDuring, long echoedDuring, String error) {
}
