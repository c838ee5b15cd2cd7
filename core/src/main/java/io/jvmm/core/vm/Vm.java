package io.jvmm.core.vm;

import io.jvmm.core.clock.VmClock;
import io.jvmm.core.config.VmPlan;
import io.jvmm.core.event.EventBus;
import io.jvmm.core.memory.FlatAddressSpace;
import io.jvmm.core.memory.GuestRam;
import io.jvmm.core.irq.InterruptRouter;
import io.jvmm.spi.accel.Accelerator;
import io.jvmm.spi.device.Device;
import io.jvmm.spi.lifecycle.Pausable;
import io.jvmm.spi.lifecycle.RunState;
import io.jvmm.spi.lifecycle.VmEvents;
import io.jvmm.spi.machine.Machine;
import io.jvmm.spi.net.NetBackend;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.Lock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running VM: its RAM, address spaces, machine, backends, devices and accelerator, and its run
 * state with QEMU's semantics. Built by {@link VmAssembler}; stopping pauses every Pausable, so a
 * stopped VM moves no data at all.
 */
public final class Vm implements MigratableVm, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Vm.class);

    private final VmPlan plan;
    private final GuestRam ram;
    private final FlatAddressSpace systemMemory;
    private final FlatAddressSpace ioPorts;
    private final InterruptRouter interrupts;
    private final VmClock clock;
    private final Lock deviceLock;
    private final EventBus events;
    private final VmRegistry registry;
    private Machine machine;
    private final Map<String, NetBackend> netBackends = new LinkedHashMap<>();
    private final List<Device> devices = new ArrayList<>();
    private Optional<Accelerator> accelerator = Optional.empty();
    private final RunStateMachine runState = new RunStateMachine(RunState.PRELAUNCH);
    private final List<Consumer<RunState>> listeners = new CopyOnWriteArrayList<>();
    private final CompletableFuture<String> shutdownRequest = new CompletableFuture<>();
    private volatile boolean autostart;
    private boolean paused;
    private boolean closed;

    Vm(VmPlan plan, GuestRam ram, FlatAddressSpace systemMemory, FlatAddressSpace ioPorts, InterruptRouter interrupts,
            VmClock clock, Lock deviceLock, EventBus events, VmRegistry registry) {
        this.plan = plan;
        this.ram = ram;
        this.systemMemory = systemMemory;
        this.ioPorts = ioPorts;
        this.interrupts = interrupts;
        this.clock = clock;
        this.deviceLock = deviceLock;
        this.events = events;
        this.registry = registry;
        this.autostart = !plan.config().startPaused();
    }

    void setMachine(Machine machine) {
        this.machine = machine;
    }

    void addNetBackend(NetBackend backend) {
        netBackends.put(backend.id(), backend);
    }

    void addDevice(Device device) {
        devices.add(device);
    }

    void setAccelerator(Accelerator accelerator) {
        this.accelerator = Optional.of(accelerator);
    }

    /**
     * Starts what executes the guest, then enters the initial run state: inmigrate with
     * {@code -incoming}, prelaunch with {@code -S}, else running.
     */
    public void start() throws Exception {
        pauseAll();
        if (accelerator.isPresent()) {
            accelerator.get().start();
        }
        if (plan.config().incoming().isPresent()) {
            setRunState(RunState.INMIGRATE);
        } else if (autostart) {
            startVm();
        }
        LOG.info("VM {} is {}", plan.config().name().orElse("(unnamed)"), runState().qmpName());
    }

    @Override
    public Optional<String> name() {
        return plan.config().name();
    }

    @Override
    public RunState runState() {
        return runState.state();
    }

    @Override
    public synchronized boolean stopVm(RunState newState) {
        boolean wasRunning = runState.state().isRunning();
        if (wasRunning) {
            transition(newState);
            pauseAll();
            events.emit("STOP", Map.of());
        } else if (runState.state() != newState) {
            transition(newState);
        }
        return wasRunning;
    }

    @Override
    public synchronized void startVm() {
        if (runState.state().isRunning()) {
            return;
        }
        if (runState.state() == RunState.SHUTDOWN) {
            throw new IllegalStateException("the VM has shut down");
        }
        resumeAll();
        transition(RunState.RUNNING);
        events.emit("RESUME", Map.of());
    }

    @Override
    public synchronized void setRunState(RunState state) {
        if (state == RunState.RUNNING) {
            startVm();
            return;
        }
        if (runState.state().isRunning()) {
            stopVm(state);
            return;
        }
        transition(state);
    }

    private void transition(RunState to) {
        RunState from = runState.transition(to);
        if (from != to) {
            LOG.debug("run state {} -> {}", from.qmpName(), to.qmpName());
            accelerator.ifPresent(a -> a.runStateChanged(to));
            for (Consumer<RunState> l : listeners) {
                l.accept(to);
            }
        }
    }

    /** Pauses backends first (no new frames come in), then the other pausables, newest first. */
    private void pauseAll() {
        if (paused) {
            return;
        }
        deviceLock.lock();
        try {
            for (NetBackend b : netBackends.values()) {
                b.pause();
            }
            List<Pausable> others = new ArrayList<>(registry.pausables());
            Collections.reverse(others);
            for (Pausable p : others) {
                p.pause();
            }
            paused = true;
        } finally {
            deviceLock.unlock();
        }
    }

    private void resumeAll() {
        if (!paused) {
            return;
        }
        deviceLock.lock();
        try {
            for (Pausable p : registry.pausables()) {
                p.resume();
            }
            for (NetBackend b : netBackends.values()) {
                b.resume();
            }
            paused = false;
        } finally {
            deviceLock.unlock();
        }
    }

    @Override
    public boolean autostart() {
        return autostart;
    }

    @Override
    public void setAutostart(boolean autostart) {
        this.autostart = autostart;
    }

    @Override
    public Optional<String> incoming() {
        return plan.config().incoming();
    }

    @Override
    public List<StateEntry> stateEntries() {
        return registry.stateEntries();
    }

    @Override
    public Map<String, NetBackend> netBackends() {
        return Collections.unmodifiableMap(netBackends);
    }

    @Override
    public GuestRam ram() {
        return ram;
    }

    @Override
    public VmEvents events() {
        return events;
    }

    @Override
    public Lock deviceLock() {
        return deviceLock;
    }

    @Override
    public void addRunStateListener(Consumer<RunState> listener) {
        listeners.add(listener);
    }

    public VmPlan plan() {
        return plan;
    }

    public FlatAddressSpace systemMemory() {
        return systemMemory;
    }

    public FlatAddressSpace ioPorts() {
        return ioPorts;
    }

    public InterruptRouter interrupts() {
        return interrupts;
    }

    public VmClock clock() {
        return clock;
    }

    public Optional<Machine> machine() {
        return Optional.ofNullable(machine);
    }

    public List<Device> devices() {
        return Collections.unmodifiableList(devices);
    }

    /** Asks the process to shut down (QMP quit, accelerator, signal); the launcher does the rest. */
    public void requestShutdown(String reason) {
        shutdownRequest.complete(reason);
    }

    /** Completes with the reason once someone asked for shutdown. */
    public CompletableFuture<String> shutdownRequested() {
        return shutdownRequest;
    }

    /**
     * Emits SHUTDOWN (QEMU's reasons: host-qmp-quit, host-signal, guest-shutdown), stops the VM
     * and enters the shutdown state. Safe to call more than once.
     */
    public synchronized void shutdown(String reason, boolean guest) {
        if (runState.state() == RunState.SHUTDOWN) {
            return;
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("guest", guest);
        data.put("reason", reason);
        events.emit("SHUTDOWN", data);
        stopVm(RunState.SHUTDOWN);
    }

    /** Releases everything, newest first; errors are logged so every part gets its chance. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        accelerator.ifPresent(a -> quietly("accelerator", a::close));
        List<Device> reversed = new ArrayList<>(devices);
        Collections.reverse(reversed);
        for (Device d : reversed) {
            quietly("device " + d.id(), d::close);
        }
        if (machine != null) {
            quietly("machine", machine::close);
        }
        List<NetBackend> backends = new ArrayList<>(netBackends.values());
        Collections.reverse(backends);
        for (NetBackend b : backends) {
            quietly("netdev " + b.id(), b::close);
        }
        quietly("clock", clock::close);
        quietly("guest RAM", ram::close);
    }

    static void quietly(String what, Runnable r) {
        try {
            r.run();
        } catch (RuntimeException | Error e) {
            LOG.warn("closing {} failed: {}", what, e.toString());
        }
    }
}
