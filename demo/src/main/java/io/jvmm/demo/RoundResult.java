package io.jvmm.demo;

/**
 * One migration of the demo.
 *
 * @param switchoverMillis source stopped to state loaded on the target (QEMU's downtime, with the
 *     sub-millisecond breakdown where the VMM reports one)
 * @param migrateMillis {@code migrate} sent to the migration reported completed
 * @param largestGapMillis the longest time without an echo during this round
 * @param echoedDuring echoes counted between {@code migrate} and the guest running on the target
 */
public record RoundResult(String from, String to, boolean local, String status, double switchoverMillis,
        double migrateMillis, double largestGapMillis, int tapQueuesBefore, int tapQueuesAfter, long sentDuring,
        long echoedDuring, String error) {
}
