package io.jvmm.machine.q35;

import io.jvmm.spi.config.Properties;
import io.jvmm.spi.machine.Machine;
import io.jvmm.spi.machine.MachineContext;
import io.jvmm.spi.machine.MachineType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One versioned q35 machine type ({@code pc-q35-X.Y}). A newer version may change device defaults;
 * every older type lists, as compat properties, the defaults that keep its guest-visible hardware
 * and migration stream what they were, as QEMU's hw_compat lists do. The newest has the alias
 * {@code q35}.
 *
 * @param compat driver to property to value, applied as device defaults before user properties
 */
public record Q35MachineType(int major, int minor, boolean newest, Map<String, Map<String, String>> compat)
        implements MachineType {

    public Q35MachineType {
        Map<String, Map<String, String>> copy = new LinkedHashMap<>();
        compat.forEach((k, v) -> copy.put(k, Map.copyOf(v)));
        compat = java.util.Collections.unmodifiableMap(copy);
    }

    @Override
    public String name() {
        return "pc-q35-" + major + "." + minor;
    }

    @Override
    public List<String> aliases() {
        return newest ? List.of("q35") : List.of();
    }

    @Override
    public String description() {
        return "Standard PC (Q35 + ICH9, " + major + "." + minor + ")" + (newest ? ", alias q35" : "");
    }

    @Override
    public Map<String, Map<String, String>> compatProperties() {
        return compat;
    }

    @Override
    public Machine create(MachineContext context, Properties properties) {
        return new Q35Machine(context);
    }
}
