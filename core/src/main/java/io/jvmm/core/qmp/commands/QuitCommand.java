package io.jvmm.core.qmp.commands;

import io.jvmm.core.qmp.AfterReply;
import io.jvmm.core.vm.Vm;
import io.jvmm.spi.config.Properties;
import io.jvmm.spi.qmp.QmpCommand;
import jakarta.inject.Inject;
import java.util.Map;

/** Shuts jvmm down; the reply goes out before SHUTDOWN and the process exits with status 0. */
public final class QuitCommand implements QmpCommand {
    private final Vm vm;

    @Inject
    public QuitCommand(Vm vm) {
        this.vm = vm;
    }

    @Override
    public String name() {
        return "quit";
    }

    @Override
    public String description() {
        return "Exits jvmm: replies, emits SHUTDOWN {\"guest\": false, \"reason\": \"host-qmp-quit\"}, closes the"
                + " VM and removes its sockets. Exit status 0.";
    }

    @Override
    public Object execute(Properties arguments) {
        return new AfterReply(Map.of(), () -> vm.requestShutdown("host-qmp-quit"));
    }
}
