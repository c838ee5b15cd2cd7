package io.jvmm.plugin.virtio.queue;

/**
 * The driver broke the virtio contract (a descriptor loop, an address outside RAM, an index that
 * jumps). The device answers by setting DEVICE_NEEDS_RESET; the VMM keeps running.
 */
public final class VirtioGuestError extends Exception {
    public VirtioGuestError(String message) {
        super(message, null, false, false);
    }
}
