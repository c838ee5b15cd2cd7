package io.jvmm.core.config;

import io.jvmm.spi.accel.AcceleratorFactory;
import io.jvmm.spi.config.Properties;
import io.jvmm.spi.device.DeviceFactory;
import io.jvmm.spi.machine.MachineType;
import io.jvmm.spi.net.NetBackendFactory;
import java.util.List;
import java.util.Optional;

/**
 * A validated {@link VmConfig}: every type resolved to its factory, every property bound, every id
 * unique and every reference checked. Building the VM from a plan can still fail on the host
 * (a tap that cannot be opened), but not on the config's own consistency.
 */
public record VmPlan(
        VmConfig config,
        MachineType machineType,
        Properties machineProperties,
        Optional<AccelPlan> accel,
        List<NetdevPlan> netdevs,
        List<DevicePlan> devices) {

    public VmPlan {
        netdevs = List.copyOf(netdevs);
        devices = List.copyOf(devices);
    }

    public record AccelPlan(String type, AcceleratorFactory factory, Properties properties) {
    }

    /** @param path where it is in the config ({@code netdevs[0]}), for errors at build time */
    public record NetdevPlan(String id, String type, NetBackendFactory factory, Properties properties, String path) {
    }

    /** @param path where it is in the config ({@code devices[1]}), for errors at build time */
    public record DevicePlan(String id, String type, DeviceFactory factory, Properties properties, String path) {
    }
}
