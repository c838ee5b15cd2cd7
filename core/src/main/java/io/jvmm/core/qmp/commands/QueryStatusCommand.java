package io.jvmm.core.qmp.commands;

import io.jvmm.core.vm.MigratableVm;
import io.jvmm.spi.config.Properties;
import io.jvmm.spi.lifecycle.RunState;
import io.jvmm.spi.qmp.QmpCommand;
import jakarta.inject.Inject;
import java.util.LinkedHashMap;
import java.util.Map;

/** The run state, as QEMU 7.2 reports it. */
public final class QueryStatusCommand implements QmpCommand {
    private final MigratableVm vm;

    @Inject
    public QueryStatusCommand(MigratableVm vm) {
        this.vm = vm;
    }

    @Override
    public String name() {
        return "query-status";
    }

    @Override
    public String description() {
        return "Returns {\"status\": STATE, \"running\": BOOL, \"singlestep\": false}; STATE is one of prelaunch,"
                + " running, paused, inmigrate, postmigrate, finish-migrate, shutdown, internal-error.";
    }

    @Override
    public Object execute(Properties arguments) {
        RunState s = vm.runState();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", s.qmpName());
        m.put("singlestep", false);
        m.put("running", s.isRunning());
        return m;
    }
}
