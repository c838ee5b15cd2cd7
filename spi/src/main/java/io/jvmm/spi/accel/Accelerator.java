package io.jvmm.spi.accel;

import io.jvmm.spi.lifecycle.RunState;

/**
 * Whatever executes the guest: vCPU threads (KVM) or a test driver over a socket (qtest). Both
 * deliver port and MMIO accesses into the same address spaces, under the device lock.
 */
public interface Accelerator extends AutoCloseable {

    /** Starts executing (connects the qtest socket, creates vCPU threads). */
    void start() throws Exception;

    /** The VM's run state changed (vCPUs stop when it is not running). */
    default void runStateChanged(RunState state) {
    }

    @Override
    void close();
}
