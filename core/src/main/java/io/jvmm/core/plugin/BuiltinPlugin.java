package io.jvmm.core.plugin;

import io.jvmm.spi.VmmPlugin;
import io.jvmm.spi.machine.MachineType;
import java.util.List;

/**
 * What the plugin package itself contributes (machine type {@code none}). Other core parts (the tcp
 * migration transport) are handed to {@link PluginHost} by the launcher, so that this package does
 * not depend on them: listed together under the plugin id "builtin".
 */
final class BuiltinPlugin implements VmmPlugin {
    static final String ID = "builtin";

    @Override
    public List<MachineType> machineTypes() {
        return List.of(new NoneMachineType());
    }
}
