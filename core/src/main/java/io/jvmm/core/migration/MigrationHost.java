package io.jvmm.core.migration;

import io.jvmm.spi.lifecycle.RunState;
import io.jvmm.spi.lifecycle.VmEvents;
import io.jvmm.spi.memory.RamBackendInfo;
import io.jvmm.spi.net.NetBackend;
import io.jvmm.spi.vmstate.VmStateful;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.locks.Lock;

/**
 * What the migration engine needs from a VM, and nothing more. The VM assembly (io.jvmm.core.vm)
 * implements it; tests implement it with plain objects. Run-state changes go through here so that
 * the VM emits STOP/RESUME and stops or starts its accelerator and every {@code Pausable}.
 */
public interface MigrationHost {

    RunState runState();

    /**
     * Stops the guest for the switchover and enters {@code state} (finish-migrate): the accelerator
     * stops, every Pausable pauses (no tap fd is read or written after this returns), STOP is emitted.
     * Returns whether the guest was running.
     */
    boolean stopVm(RunState state);

    /** Runs the guest: Pausables resume, state running, RESUME emitted. */
    void startVm();

    /** Changes the run state without starting or stopping anything (postmigrate, paused, inmigrate). */
    void setRunState(RunState state);

    /** True when a target runs by itself once the incoming migration completes (no -S, or cont while inmigrate). */
    boolean autostart();

    /** Every piece of migrating state, in registration order (the order sections are sent). */
    List<StateEntry> states();

    List<NetBackend> netBackends();

    RamBackendInfo ramBackend();

    /** The whole RAM backing, offsets 0 to size (not guest-physical addresses). */
    MemorySegment ramBacking();

    /** Maps a memfd received from the source over this VM's RAM (local migration); owns the fd afterwards. */
    void adoptSharedRam(int fd, String kind);

    VmEvents events();

    /** The per-VM device lock (QEMU's big lock): held while device state is saved or loaded. */
    Lock deviceLock();

    /** Registered state under its stable instance id. */
    record StateEntry(String instanceId, VmStateful state) {
    }
}
