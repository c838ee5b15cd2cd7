package io.jvmm.core.config;

import java.util.List;
import java.util.Optional;

/**
 * One VM as configured, whichever way it came in (YAML or QEMU-style command line). Values are as
 * written; property maps are validated later against the factories' PropertySpecs
 * ({@link PropertyBinder}). {@code sources} says where each node came from, for error messages.
 *
 * @param serial {@code stdio}, {@code null}, {@code file:PATH} or {@code unix:PATH}; empty: none
 * @param qmp QMP sockets ({@code unix:PATH})
 * @param incoming {@code defer} or a migration URI, for a process started to receive a migration
 * @param bios firmware image for the machine ({@code -bios})
 */
public record VmConfig(
        Optional<String> name,
        MachineConfig machine,
        Optional<AccelConfig> accel,
        boolean startPaused,
        List<NetdevConfig> netdevs,
        List<DeviceConfig> devices,
        Optional<String> serial,
        List<String> qmp,
        Optional<String> incoming,
        Optional<String> bios,
        SourceMap sources) {

    public VmConfig {
        netdevs = List.copyOf(netdevs);
        devices = List.copyOf(devices);
        qmp = List.copyOf(qmp);
    }

    /** The same configuration without source locations: two configs saying the same are equal. */
    public VmConfig withoutSources() {
        return new VmConfig(name, machine, accel, startPaused, netdevs, devices, serial, qmp, incoming, bios, SourceMap.EMPTY);
    }
}
