package io.jvmm.core.qmp.commands;

import io.jvmm.core.vm.MigratableVm;
import io.jvmm.spi.config.Properties;
import io.jvmm.spi.lifecycle.RunState;
import io.jvmm.spi.qmp.QmpCommand;
import io.jvmm.spi.qmp.QmpError;
import jakarta.inject.Inject;

/** Resumes the VM (QEMU's qmp_cont); during an incoming migration it means start when done. */
public final class ContCommand implements QmpCommand {
    private final MigratableVm vm;

    @Inject
    public ContCommand(MigratableVm vm) {
        this.vm = vm;
    }

    @Override
    public String name() {
        return "cont";
    }

    @Override
    public String description() {
        return "Resumes the VM and emits RESUME. In inmigrate: start as soon as the incoming migration completes."
                + " Fails after shutdown or an internal error.";
    }

    @Override
    public Object execute(Properties arguments) {
        RunState s = vm.runState();
        if (s == RunState.SHUTDOWN || s == RunState.INTERNAL_ERROR) {
            throw QmpError.generic("Resetting the Virtual Machine is required");
        }
        if (s == RunState.INMIGRATE) {
            vm.setAutostart(true);
        } else {
            vm.startVm();
        }
        return null;
    }
}
