package io.jvmm.core.migration;

import io.jvmm.core.memory.GuestRam;
import io.jvmm.core.memory.MemoryBackends;
import io.jvmm.spi.lifecycle.RunState;
import io.jvmm.spi.lifecycle.VmEvents;
import io.jvmm.spi.memory.RamBackendInfo;
import io.jvmm.spi.net.NetBackend;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;

/** A VM reduced to what the engine touches: run state, state entries, backends, real guest RAM. */
final class FakeHost implements MigrationHost, AutoCloseable {
    volatile RunState state;
    volatile boolean autostart = true;
    final List<StateEntry> states = new ArrayList<>();
    final List<NetBackend> backends = new ArrayList<>();
    final GuestRam ram;
    final List<String> events = Collections.synchronizedList(new ArrayList<>());
    final List<RunState> history = Collections.synchronizedList(new ArrayList<>());
    private final ReentrantLock lock = new ReentrantLock();

    FakeHost(RunState initial, String backend, long size, Optional<Path> path) {
        this.state = initial;
        this.ram = MemoryBackends.create(backend, size, path, !"ram".equals(backend));
    }

    static FakeHost source() {
        return new FakeHost(RunState.RUNNING, "ram", 4 << 20, Optional.empty());
    }

    static FakeHost target() {
        return new FakeHost(RunState.INMIGRATE, "ram", 4 << 20, Optional.empty());
    }

    FakeHost with(String id, io.jvmm.spi.vmstate.VmStateful s) {
        states.add(new StateEntry(id, s));
        return this;
    }

    FakeHost withTap(FakeTap tap) {
        backends.add(tap);
        states.add(new StateEntry(tap.id(), tap));
        return this;
    }

    @Override
    public RunState runState() {
        return state;
    }

    @Override
    public synchronized boolean stopVm(RunState s) {
        boolean was = state == RunState.RUNNING;
        set(s);
        if (was) {
            backends.forEach(NetBackend::pause);
            events.add("STOP");
        }
        return was;
    }

    @Override
    public synchronized void startVm() {
        set(RunState.RUNNING);
        backends.forEach(NetBackend::resume);
        events.add("RESUME");
    }

    @Override
    public synchronized void setRunState(RunState s) {
        set(s);
    }

    private void set(RunState s) {
        state = s;
        history.add(s);
    }

    @Override
    public boolean autostart() {
        return autostart;
    }

    @Override
    public List<StateEntry> states() {
        return states;
    }

    @Override
    public List<NetBackend> netBackends() {
        return backends;
    }

    @Override
    public RamBackendInfo ramBackend() {
        return ram.ramBackendInfo();
    }

    @Override
    public MemorySegment ramBacking() {
        return ram.backing();
    }

    @Override
    public void adoptSharedRam(int fd, String kind) {
        ram.adoptSharedBacking(fd, kind);
    }

    @Override
    public VmEvents events() {
        return (name, data) -> events.add(name + (data.isEmpty() ? "" : " " + data.get("status")));
    }

    List<String> migrationEvents() {
        synchronized (events) {
            return events.stream().filter(e -> e.startsWith("MIGRATION ")).map(e -> e.substring(10)).toList();
        }
    }

    @Override
    public Lock deviceLock() {
        return lock;
    }

    @Override
    public void close() {
        ram.close();
    }

}
