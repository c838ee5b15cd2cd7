package io.jvmm.core.plugin;

import io.jvmm.spi.VmmPlugin;
import io.jvmm.spi.machine.MachineType;
import java.util.List;

/** What the core itself contributes, listed like a plugin so {@code ./jvmm plugins} shows it. */
final class BuiltinPlugin implements VmmPlugin {
    static final String ID = "builtin";

    @Override
    public List<MachineType> machineTypes() {
        return List.of(new NoneMachineType());
    }
}
