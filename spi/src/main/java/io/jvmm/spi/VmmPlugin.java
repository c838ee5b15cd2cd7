package io.jvmm.spi;

import io.jvmm.spi.accel.AcceleratorFactory;
import io.jvmm.spi.device.DeviceFactory;
import io.jvmm.spi.machine.MachineType;
import io.jvmm.spi.migration.MigrationTransport;
import io.jvmm.spi.net.NetBackendFactory;
import io.jvmm.spi.qmp.QmpCommand;
import java.util.List;
import org.pf4j.ExtensionPoint;

/**
 * The one entry point of a plugin: lists everything the plugin contributes. Each factory's
 * {@code name()} is the key used in configurations ({@code type: tap}, {@code -netdev tap,...}).
 *
 * <p>Implementations are pf4j extensions ({@code @Extension}); the host instantiates them with
 * SPI services injected (a public no-argument constructor, or one annotated
 * {@code @jakarta.inject.Inject} taking SPI types only).
 */
public interface VmmPlugin extends ExtensionPoint {

    default List<MachineType> machineTypes() {
        return List.of();
    }

    default List<DeviceFactory> deviceFactories() {
        return List.of();
    }

    default List<NetBackendFactory> netBackendFactories() {
        return List.of();
    }

    default List<AcceleratorFactory> accelerators() {
        return List.of();
    }

    default List<MigrationTransport> migrationTransports() {
        return List.of();
    }

    default List<QmpCommand> qmpCommands() {
        return List.of();
    }
}
