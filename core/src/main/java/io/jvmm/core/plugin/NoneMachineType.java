package io.jvmm.core.plugin;

import io.jvmm.spi.config.Properties;
import io.jvmm.spi.machine.Machine;
import io.jvmm.spi.machine.MachineContext;
import io.jvmm.spi.machine.MachineType;

/**
 * QEMU's {@code -machine none}: a board with RAM and nothing else, so a VM can start and be
 * controlled over QMP before any machine plugin exists. It registers no bus, so any device that
 * needs one fails with a clear error.
 */
final class NoneMachineType implements MachineType {

    @Override
    public String name() {
        return "none";
    }

    @Override
    public String description() {
        return "empty machine: RAM only, no buses or devices (as QEMU's -machine none)";
    }

    @Override
    public Machine create(MachineContext context, Properties properties) {
        return new Machine() {
        };
    }
}
