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
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(NoneMachineType.class);

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
        // accepted as QEMU accepts them with -machine none, but said out loud: nothing uses them
        context.serial().ifPresent(s -> LOG.warn("machine none has no serial port: -serial {} is not connected", s));
        context.bios().ifPresent(b -> LOG.warn("machine none runs no firmware: -bios {} is not loaded", b));
        return new Machine() {
        };
    }
}
