package io.jvmm.plugin.virtio.transport;

import io.jvmm.plugin.virtio.queue.VirtqueueState;
import java.util.List;

/**
 * The virtio PCI transport's migratable state: negotiation, selectors, vectors, pending ISR bits and
 * every queue. PCI config space and the MSI-X table belong to the machine's PCI emulation.
 */
public record VirtioPciState(
        int status,
        long driverFeatures,
        long negotiatedFeatures,
        int deviceFeatureSelect,
        int driverFeatureSelect,
        int queueSelect,
        int configVector,
        int isr,
        int configGeneration,
        boolean legacyMode,
        List<VirtqueueState> queues) {

    public VirtioPciState {
        queues = List.copyOf(queues);
    }
}
