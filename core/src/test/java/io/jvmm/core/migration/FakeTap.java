package io.jvmm.core.migration;

import io.jvmm.core.os.LibC;
import io.jvmm.spi.net.LocalMigratable;
import io.jvmm.spi.net.NetBackend;
import io.jvmm.spi.net.NetQueue;
import io.jvmm.spi.net.Offloads;
import io.jvmm.spi.vmstate.VmStateDescription;
import io.jvmm.spi.vmstate.VmStateful;
import java.util.List;
import java.util.Optional;

/**
 * A tap-like backend: per-queue descriptors that travel only in a local migration, loaded the
 * construct-from-state way (adopted only once the whole section loaded).
 */
final class FakeTap implements NetBackend, LocalMigratable, VmStateful {
    private final String id;
    private final int queues;
    int[] fds;
    boolean waiting;
    volatile boolean handedOver;
    volatile boolean paused;
    int vnetHeaderLength = 12;

    FakeTap(String id, int queues, boolean incomingFds) {
        this.id = id;
        this.queues = queues;
        this.waiting = incomingFds;
        this.fds = new int[0];
        if (!incomingFds) {
            fds = new int[queues];
            for (int i = 0; i < queues; i++) {
                fds[i] = LibC.open("/dev/null", LibC.O_RDWR | LibC.O_CLOEXEC, 0);
            }
        }
    }

    @Override
    public VmStateDescription vmstate() {
        return new VmStateDescription("tap", 1, 1, out -> {
            out.u32("queues", queues);
            out.u8("vnet_hdr_len", vnetHeaderLength);
            if (out.localMigration()) {
                for (int fd : fds) {
                    out.fd("fd", fd);
                }
            }
        }, (in, v) -> {
            long n = in.u32InRange("queues", queues, queues);
            int hdr = in.u8("vnet_hdr_len");
            int[] got = new int[0];
            if (in.localMigration()) {
                got = new int[(int) n];
                for (int i = 0; i < n; i++) {
                    got[i] = in.fd("fd");
                }
            }
            vnetHeaderLength = hdr;
            if (in.localMigration()) {
                fds = got;
                waiting = false;
            }
        });
    }

    @Override
    public boolean waitingForDescriptors() {
        return waiting;
    }

    @Override
    public int descriptorCount() {
        return queues;
    }

    @Override
    public void handedOver() {
        handedOver = true;
    }

    @Override
    public void abortIncoming() {
        for (int fd : fds) {
            LibC.close(fd);
        }
        fds = new int[0];
        waiting = true;
    }

    @Override
    public Optional<VmStateful> migrationState() {
        return Optional.of(this);
    }

    @Override
    public Optional<LocalMigratable> localMigration() {
        return Optional.of(this);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String type() {
        return "tap";
    }

    @Override
    public List<NetQueue> queues() {
        return List.of();
    }

    @Override
    public boolean hasVnetHeader() {
        return true;
    }

    @Override
    public void setVnetHeaderLength(int length) {
        vnetHeaderLength = length;
    }

    @Override
    public int vnetHeaderLength() {
        return vnetHeaderLength;
    }

    @Override
    public Offloads supportedOffloads() {
        return Offloads.NONE;
    }

    @Override
    public void setOffloads(Offloads offloads) {
    }

    @Override
    public void pause() {
        paused = true;
    }

    @Override
    public void resume() {
        paused = false;
    }

    @Override
    public void close() {
        for (int fd : fds) {
            LibC.close(fd);
        }
        fds = new int[0];
    }
}
