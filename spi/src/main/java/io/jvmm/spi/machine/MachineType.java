package io.jvmm.spi.machine;

import io.jvmm.spi.config.Named;
import io.jvmm.spi.config.Properties;
import java.util.List;
import java.util.Map;

/**
 * A versioned machine type such as {@code pc-q35-1.0}. Compatibility properties change device
 * defaults for older machine types so that a guest sees the same hardware after an upgrade
 * (QEMU's hw_compat lists): driver name to property name to value.
 */
public interface MachineType extends Named {

    default List<String> aliases() {
        return List.of();
    }

    /** driver (device type) to property to value, applied as defaults before user properties. */
    default Map<String, Map<String, String>> compatProperties() {
        return Map.of();
    }

    /** Builds the board: buses, built-in devices, firmware interfaces. */
    Machine create(MachineContext context, Properties properties);
}
