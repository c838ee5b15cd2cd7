package io.jvmm.core.migration;

import io.jvmm.core.vm.MigratableVm;
import io.jvmm.spi.lifecycle.RunState;
import io.jvmm.spi.lifecycle.VmEvents;
import io.jvmm.spi.memory.RamBackendInfo;
import io.jvmm.spi.net.NetBackend;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.locks.Lock;

/** The engine's view of a real VM: a thin adapter over the VM assembly's {@link MigratableVm}. */
public final class VmMigrationHost implements MigrationHost {
    private final MigratableVm vm;

    public VmMigrationHost(MigratableVm vm) {
        this.vm = vm;
    }

    @Override
    public RunState runState() {
        return vm.runState();
    }

    @Override
    public boolean stopVm(RunState state) {
        return vm.stopVm(state);
    }

    @Override
    public void startVm() {
        vm.startVm();
    }

    @Override
    public void setRunState(RunState state) {
        vm.setRunState(state);
    }

    @Override
    public boolean autostart() {
        return vm.autostart();
    }

    @Override
    public List<StateEntry> states() {
        return vm.stateEntries().stream().map(e -> new StateEntry(e.instanceId(), e.state())).toList();
    }

    @Override
    public List<NetBackend> netBackends() {
        return List.copyOf(vm.netBackends().values());
    }

    @Override
    public RamBackendInfo ramBackend() {
        return vm.ram().ramBackendInfo();
    }

    @Override
    public MemorySegment ramBacking() {
        return vm.ram().backing();
    }

    @Override
    public void adoptSharedRam(int fd, String kind) {
        vm.ram().adoptSharedBacking(fd, kind);
    }

    @Override
    public VmEvents events() {
        return vm.events();
    }

    @Override
    public Lock deviceLock() {
        return vm.deviceLock();
    }
}
