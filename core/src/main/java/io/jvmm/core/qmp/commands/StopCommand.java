package io.jvmm.core.qmp.commands;

import io.jvmm.core.vm.MigratableVm;
import io.jvmm.spi.config.Properties;
import io.jvmm.spi.lifecycle.RunState;
import io.jvmm.spi.qmp.QmpCommand;
import jakarta.inject.Inject;

/** Stops the VM (QEMU's qmp_stop): every device and backend pauses; STOP is emitted. */
public final class StopCommand implements QmpCommand {
    private final MigratableVm vm;

    @Inject
    public StopCommand(MigratableVm vm) {
        this.vm = vm;
    }

    @Override
    public String name() {
        return "stop";
    }

    @Override
    public String description() {
        return "Stops the VM: devices and backends move no data, STOP is emitted, status becomes paused. In"
                + " inmigrate it means: do not start when the migration completes. Does nothing if not running.";
    }

    @Override
    public Object execute(Properties arguments) {
        if (vm.runState() == RunState.INMIGRATE) {
            vm.setAutostart(false);
        } else {
            vm.stopVm(RunState.PAUSED);
        }
        return null;
    }
}
