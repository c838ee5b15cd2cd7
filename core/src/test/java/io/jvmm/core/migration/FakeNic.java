package io.jvmm.core.migration;

import io.jvmm.spi.migration.LocalMigrationOptIn;
import io.jvmm.spi.vmstate.VmStateDescription;
import io.jvmm.spi.vmstate.VmStateful;

/** A NIC's state with the local-migration property. */
final class FakeNic implements VmStateful, LocalMigrationOptIn {
    final String backend;
    boolean localMigration;
    long features;
    byte[] mac = new byte[6];
    volatile RuntimeException failOnLoad;
    volatile java.util.concurrent.CountDownLatch blockLoad;
    /** The nice value of the thread that ran the last save / the load (Integer.MIN_VALUE: none ran). */
    volatile int saveNice = Integer.MIN_VALUE;
    volatile int loadNice = Integer.MIN_VALUE;

    FakeNic(String backend, boolean localMigration) {
        this.backend = backend;
        this.localMigration = localMigration;
    }

    @Override
    public boolean localMigrationEnabled() {
        return localMigration;
    }

    @Override
    public String backendId() {
        return backend;
    }

    @Override
    public VmStateDescription vmstate() {
        return new VmStateDescription("virtio-net", 1, 1, out -> {
            out.u64("features", features);
            out.bytes("mac", mac);
            saveNice = currentNice();
        }, (in, v) -> {
            loadNice = currentNice();
            long f = in.u64("features");
            byte[] m = in.bytes("mac", 6);
            if (blockLoad != null) {
                try {
                    blockLoad.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (failOnLoad != null) {
                throw failOnLoad;
            }
            features = f;
            mac = m;
        });
    }

    /** The calling thread's nice value. */
    static int currentNice() {
        try {
            return io.jvmm.core.os.ThreadNice.current();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
