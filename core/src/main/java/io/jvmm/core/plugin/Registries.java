package io.jvmm.core.plugin;

import io.jvmm.spi.VmmPlugin;
import io.jvmm.spi.accel.AcceleratorFactory;
import io.jvmm.spi.device.DeviceFactory;
import io.jvmm.spi.machine.MachineType;
import io.jvmm.spi.migration.MigrationTransport;
import io.jvmm.spi.net.NetBackendFactory;
import io.jvmm.spi.qmp.QmpCommand;
import java.util.List;

/** Everything the loaded plugins contribute, by kind and config name. */
public final class Registries {
    private final ComponentRegistry<MachineType> machineTypes = new ComponentRegistry<>("machine type");
    private final ComponentRegistry<DeviceFactory> devices = new ComponentRegistry<>("device type");
    private final ComponentRegistry<NetBackendFactory> netdevs = new ComponentRegistry<>("netdev type");
    private final ComponentRegistry<AcceleratorFactory> accelerators = new ComponentRegistry<>("accelerator");
    private final ComponentRegistry<MigrationTransport> migrationTransports = new ComponentRegistry<>("migration transport");
    private final ComponentRegistry<QmpCommand> qmpCommands = new ComponentRegistry<>("QMP command");

    /** Adds everything {@code plugin} lists; duplicate names fail naming both plugins. */
    public void add(String pluginId, VmmPlugin plugin) {
        for (MachineType m : nonNull(plugin.machineTypes())) {
            machineTypes.register(pluginId, m, nonNull(m.aliases()));
        }
        for (DeviceFactory d : nonNull(plugin.deviceFactories())) {
            devices.register(pluginId, d, List.of());
        }
        for (NetBackendFactory n : nonNull(plugin.netBackendFactories())) {
            netdevs.register(pluginId, n, List.of());
        }
        for (AcceleratorFactory a : nonNull(plugin.accelerators())) {
            accelerators.register(pluginId, a, List.of());
        }
        for (MigrationTransport t : nonNull(plugin.migrationTransports())) {
            migrationTransports.register(pluginId, t, List.of());
        }
        for (QmpCommand c : nonNull(plugin.qmpCommands())) {
            qmpCommands.register(pluginId, c, List.of());
        }
    }

    private static <T> List<T> nonNull(List<T> list) {
        return list == null ? List.of() : list;
    }

    public ComponentRegistry<MachineType> machineTypes() {
        return machineTypes;
    }

    public ComponentRegistry<DeviceFactory> devices() {
        return devices;
    }

    public ComponentRegistry<NetBackendFactory> netdevs() {
        return netdevs;
    }

    public ComponentRegistry<AcceleratorFactory> accelerators() {
        return accelerators;
    }

    public ComponentRegistry<MigrationTransport> migrationTransports() {
        return migrationTransports;
    }

    /** QMP commands contributed by plugins (core commands are bound in the core's Guice modules). */
    public ComponentRegistry<QmpCommand> qmpCommands() {
        return qmpCommands;
    }

    public List<ComponentRegistry<?>> all() {
        return List.of(machineTypes, devices, netdevs, accelerators, migrationTransports, qmpCommands);
    }
}
