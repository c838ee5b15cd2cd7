package io.jvmm.plugin.virtio.net;

import io.jvmm.plugin.virtio.transport.VirtioPciState;

/**
 * Everything of a virtio-net-pci function that migrates, beside the PCI config space (the
 * machine's) and the backend (which owns its own state): the transport with its queues, and the
 * net device's station address, link status, queue pairs in use, receive filter, guest
 * offloads in force and the local-migration opt-in.
 */
public record VirtioNetState(
        VirtioPciState transport,
        byte[] mac,
        int status,
        int queuePairs,
        RxFilter filter,
        boolean localMigration,
        boolean announcePending,
        long guestOffloads) {
}
