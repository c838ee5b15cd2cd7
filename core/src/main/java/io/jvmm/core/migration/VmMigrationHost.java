package io.jvmm.core.migration;

import io.jvmm.core.vm.MigratableVm;
import io.jvmm.spi.lifecycle.RunState;
import io.jvmm.spi.lifecycle.VmEvents;
import io.jvmm.spi.memory.RamBackendInfo;
import io.jvmm.spi.net.NetBackend;
import io.jvmm.spi.vmstate.VmStateful;
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

    /**
     * The netdevs' own state first (as {@code netdev/ID}: backends exist before the devices that use
     * them, and a device's load may rely on its backend's), then everything registered, in order.
     */
    @Override
    public List<StateEntry> states() {
        List<StateEntry> out = new java.util.ArrayList<>();
        java.util.Set<VmStateful> registered = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        vm.stateEntries().forEach(e -> registered.add(e.state()));
        for (NetBackend b : vm.netBackends().values()) {
            b.migrationState().filter(s -> !registered.contains(s))
                    .ifPresent(s -> out.add(new StateEntry("netdev/" + b.id(), s)));
        }
        vm.stateEntries().forEach(e -> out.add(new StateEntry(e.instanceId(), e.state())));
        return out;
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
