package io.jvmm.core.config;

import io.jvmm.core.plugin.ComponentRegistry;
import io.jvmm.core.plugin.PlannedComponents;
import io.jvmm.core.plugin.Registries;
import io.jvmm.spi.accel.AcceleratorFactory;
import io.jvmm.spi.config.ConfigException;
import io.jvmm.spi.config.Named;
import io.jvmm.spi.config.Properties;
import io.jvmm.spi.config.PropertySpec;
import io.jvmm.spi.device.DeviceFactory;
import io.jvmm.spi.machine.MachineType;
import io.jvmm.spi.net.NetBackendFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a {@link VmConfig} against what the loaded plugins provide and turns it into a
 * {@link VmPlan}. Collects every problem rather than stopping at the first, so {@code ./jvmm
 * validate} shows them all at once.
 */
public final class ConfigResolver {
    /** QEMU's id_wellformed(): a letter, then letters, digits, '-', '.', '_'. */
    private static final Pattern ID = Pattern.compile("[A-Za-z][A-Za-z0-9._-]*");
    private static final Pattern SERIAL = Pattern.compile("stdio|null|file:.+|unix:.+");

    private final Registries registries;
    private final String pluginsHint;
    private final List<ConfigException> errors = new ArrayList<>();
    private SourceMap sources;

    /** @param pluginsHint where plugins are looked for, for "not installed" messages */
    public ConfigResolver(Registries registries, String pluginsHint) {
        this.registries = registries;
        this.pluginsHint = pluginsHint;
    }

    /** @throws InvalidConfigException listing every problem */
    public VmPlan resolve(VmConfig config) {
        errors.clear();
        sources = config.sources();

        MachineConfig mc = config.machine();
        Optional<MachineType> machine = lookup(registries.machineTypes(), mc.type(), "machine.type");
        Properties machineProps = machine.map(m -> bind("machine type '" + mc.type() + "'", m, mc.properties(),
                Map.of(), "machine")).orElse(Properties.of(Map.of()));
        checkMemory(mc.memory());

        Optional<VmPlan.AccelPlan> accel = Optional.empty();
        if (config.accel().isPresent()) {
            AccelConfig ac = config.accel().get();
            Optional<AcceleratorFactory> f = lookup(registries.accelerators(), ac.type(), "accel.type");
            if (f.isPresent()) {
                accel = Optional.of(new VmPlan.AccelPlan(ac.type(), f.get(),
                        bind("accelerator '" + ac.type() + "'", f.get(), ac.properties(), Map.of(), "accel")));
            }
        }

        config.serial().ifPresent(s -> {
            if (!SERIAL.matcher(s).matches()) {
                error("serial", "'" + s + "' is not a serial backend; use stdio, null, file:PATH or unix:PATH");
            }
        });
        Set<String> qmpPaths = new HashSet<>();
        for (int i = 0; i < config.qmp().size(); i++) {
            String q = config.qmp().get(i);
            if (!q.startsWith("unix:") || q.length() == 5) {
                error("qmp[" + i + "]", "'" + q + "' is not a QMP socket; use unix:PATH");
            } else if (!qmpPaths.add(q)) {
                error("qmp[" + i + "]", "socket " + q + " is listed twice");
            }
        }
        config.incoming().ifPresent(this::checkIncoming);

        List<VmPlan.NetdevPlan> netdevs = new ArrayList<>();
        Map<String, String> netdevPaths = new HashMap<>();
        for (int i = 0; i < config.netdevs().size(); i++) {
            NetdevConfig n = config.netdevs().get(i);
            String path = "netdevs[" + i + "]";
            checkId(n.id(), path + ".id");
            String previous = netdevPaths.putIfAbsent(n.id(), path);
            if (previous != null) {
                error(path + ".id", "duplicate netdev id '" + n.id() + "' (also " + previous + ")");
            }
            Optional<NetBackendFactory> f = lookup(registries.netdevs(), n.type(), path + ".type");
            if (f.isPresent()) {
                netdevs.add(new VmPlan.NetdevPlan(n.id(), n.type(), f.get(),
                        bind("netdev type '" + n.type() + "'", f.get(), n.properties(), Map.of(), path), path));
            }
        }

        List<VmPlan.DevicePlan> devices = new ArrayList<>();
        Map<String, String> devicePaths = new HashMap<>();
        Map<String, String> netdevUsers = new HashMap<>();
        for (int i = 0; i < config.devices().size(); i++) {
            DeviceConfig d = config.devices().get(i);
            String path = "devices[" + i + "]";
            // QEMU names anonymous devices /machine/peripheral-anon/device[N]; the brackets keep
            // generated ids from ever clashing with a user's id.
            String id = d.id().orElse("device[" + i + "]");
            if (d.id().isPresent()) {
                checkId(id, path + ".id");
                String previous = devicePaths.putIfAbsent(id, path);
                if (previous != null) {
                    error(path + ".id", "duplicate device id '" + id + "' (also " + previous + ")");
                }
            }
            checkReferences(d, path, netdevPaths, netdevUsers, devicePaths, config);
            Optional<DeviceFactory> f = lookup(registries.devices(), d.type(), path + ".type");
            if (f.isPresent()) {
                Map<String, String> compat = machine.map(m -> m.compatProperties().getOrDefault(d.type(), Map.of()))
                        .orElse(Map.of());
                devices.add(new VmPlan.DevicePlan(id, d.type(), f.get(),
                        bind("device type '" + d.type() + "'", f.get(), d.properties(), compat, path), path));
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidConfigException(errors);
        }
        return new VmPlan(config, machine.orElseThrow(), machineProps, accel, netdevs, devices);
    }

    private void checkReferences(DeviceConfig d, String path, Map<String, String> netdevPaths,
            Map<String, String> netdevUsers, Map<String, String> devicePaths, VmConfig config) {
        Object netdev = d.properties().get("netdev");
        if (netdev instanceof String n && !n.isEmpty()) {
            if (!netdevPaths.containsKey(n)) {
                error(path + ".netdev", "no netdev '" + n + "'"
                        + (netdevPaths.isEmpty() ? "" : "; netdevs: " + String.join(", ", netdevPaths.keySet().stream().sorted().toList())));
            } else {
                String user = netdevUsers.putIfAbsent(n, path);
                if (user != null) {
                    error(path + ".netdev", "netdev '" + n + "' is already used by " + user);
                }
            }
        }
        Object bus = d.properties().get("bus");
        if (bus instanceof String b) {
            // a bus named after a device must come from a device listed before this one
            for (int j = 0; j < config.devices().size(); j++) {
                DeviceConfig other = config.devices().get(j);
                if (other.id().filter(b::equals).isPresent() && !devicePaths.containsKey(b)) {
                    error(path + ".bus", "bus '" + b + "' is created by devices[" + j
                            + "], which comes later; list it before the devices on it");
                }
            }
        }
    }

    private void checkMemory(MemoryConfig m) {
        if (m.size() <= 0 || m.size() % 4096 != 0) {
            error("machine.memory.size", "must be a positive multiple of 4K, got " + m.size());
        }
        switch (m.backend()) {
            case "file" -> {
                if (m.path().isEmpty()) {
                    error("machine.memory", "backend 'file' needs a path, e.g. path: /dev/shm/jvmm-ram");
                }
            }
            case "ram" -> {
                if (m.path().isPresent()) {
                    error("machine.memory.path", "backend 'ram' takes no path; use backend 'file'");
                }
                if (m.share()) {
                    error("machine.memory.share", "backend 'ram' is private; use backend 'memfd' for shared memory");
                }
            }
            case "memfd" -> {
                if (m.path().isPresent()) {
                    error("machine.memory.path", "backend 'memfd' takes no path; use backend 'file'");
                }
                if (!m.share()) {
                    error("machine.memory.share", "backend 'memfd' is always shared");
                }
            }
            default -> error("machine.memory.backend", "unknown memory backend '" + m.backend() + "'; known: "
                    + String.join(", ", MemoryConfig.BACKENDS));
        }
    }

    private void checkIncoming(String incoming) {
        if (incoming.equals("defer")) {
            return;
        }
        int colon = incoming.indexOf(':');
        if (colon <= 0 || colon == incoming.length() - 1) {
            error("incoming", "'" + incoming + "' is neither 'defer' nor a URI such as unix:/tmp/migration.sock");
            return;
        }
        lookup(registries.migrationTransports(), incoming.substring(0, colon), "incoming");
    }

    private void checkId(String id, String path) {
        if (!ID.matcher(id).matches()) {
            error(path, "'" + id + "' is not a valid id: start with a letter, then letters, digits, '-', '.' or '_'");
        }
    }

    private Properties bind(String what, Named factory, Map<String, Object> raw, Map<String, String> compat, String path) {
        List<PropertySpec> specs;
        try {
            specs = factory.properties();
        } catch (RuntimeException e) {
            error(path, what + " failed listing its properties: " + e);
            return Properties.of(Map.of());
        }
        return PropertyBinder.bind(what, specs, raw, compat, path, sources, errors);
    }

    private <T extends Named> Optional<T> lookup(ComponentRegistry<T> registry, String name, String path) {
        Optional<T> found = registry.find(name);
        if (found.isEmpty()) {
            String known = registry.allNames().isEmpty() ? "(none)" : String.join(", ", registry.allNames());
            String hint = PlannedComponents.providerOf(registry.kind(), name)
                    .map(p -> ": it comes from plugin '" + p + "', which is not installed (" + pluginsHint + ")")
                    .or(() -> PlannedComponents.notYetAvailable(registry.kind(), name).map(n -> ": " + n))
                    .orElse("");
            error(path, "unknown " + registry.kind() + " '" + name + "'" + hint + "; known " + registry.kind()
                    + "s: " + known);
        }
        return found;
    }

    private void error(String path, String problem) {
        errors.add(new ConfigError(path, problem, sources));
    }
}
