package io.jvmm.core.vm;

import io.jvmm.core.memory.GuestRam;
import io.jvmm.spi.lifecycle.RunState;
import io.jvmm.spi.lifecycle.VmEvents;
import io.jvmm.spi.net.NetBackend;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.Lock;
import java.util.function.Consumer;

/**
 * What the migration engine needs from a VM: run-state control with QEMU's semantics, the state
 * registry in registration order, the network backends and guest RAM. Bound in Guice, so a core
 * QMP command gets it injected.
 */
public interface MigratableVm {

    Optional<String> name();

    RunState runState();

    /**
     * QEMU's vm_stop(): if the VM runs, pauses every Pausable (devices, backends, the clock), enters
     * {@code newState} and emits STOP; if it does not run, only moves to {@code newState} (e.g.
     * paused to finish-migrate). Returns true if the VM was running.
     */
    boolean stopVm(RunState newState);

    /** QEMU's vm_start(): resumes everything, enters running, emits RESUME. No-op if running. */
    void startVm();

    /** Moves to a state without starting or stopping anything (inmigrate to paused, to postmigrate). */
    void setRunState(RunState state);

    /**
     * Whether the VM starts by itself once an incoming migration completes: false with {@code -S};
     * {@code cont} during inmigrate sets it, {@code stop} clears it.
     */
    boolean autostart();

    void setAutostart(boolean autostart);

    /** {@code defer} or a URI when started with {@code -incoming}. */
    Optional<String> incoming();

    /** Every registered VmStateful, in registration order (machine, then devices as created). */
    List<StateEntry> stateEntries();

    /** Network backends by netdev id, in config order. */
    Map<String, NetBackend> netBackends();

    GuestRam ram();

    VmEvents events();

    /** The per-VM device lock (QEMU's big lock): hold it while loading device state. */
    Lock deviceLock();

    /** Called after every run-state change, with the new state. */
    void addRunStateListener(Consumer<RunState> listener);
}
