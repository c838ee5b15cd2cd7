package io.jvmm.plugin.virtio.queue;

/**
 * What a split virtqueue needs to carry on elsewhere: the ring addresses the driver programmed and
 * the device's positions in them.
 */
public record VirtqueueState(
        int size,
        boolean enabled,
        long descAddress,
        long availAddress,
        long usedAddress,
        int vector,
        int lastAvailIdx,
        int usedIdx) {
}
