package io.jvmm.core.config;

import io.jvmm.spi.config.ConfigException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads QEMU-style options into the same {@link VmConfig} the YAML loader produces. Only options
 * jvmm implements are accepted; anything else is an error, never silently ignored, since a VM
 * started without an option the user asked for behaves differently from what they expect.
 */
public final class QemuCommandLine {
    /** Options taking an argument. */
    static final Set<String> WITH_ARG = Set.of("name", "machine", "M", "m", "object", "accel", "display", "serial",
            "qmp", "netdev", "device", "incoming", "qtest", "qtest-log", "bios", "chardev", "mon");
    /** Options without an argument. */
    static final Set<String> FLAGS = Set.of("S", "nodefaults", "nographic", "enable-kvm");
    private static final Set<String> MEMORY_BACKENDS = Set.of("memory-backend-ram", "memory-backend-memfd",
            "memory-backend-file");

    private final SourceMap.Builder sources = new SourceMap.Builder();
    private Optional<String> name = Optional.empty();
    private String machineType;
    private final Map<String, Object> machineProps = new LinkedHashMap<>();
    private Optional<String> memoryBackendId = Optional.empty();
    private Optional<Long> memSize = Optional.empty();
    private final Map<String, Map<String, String>> objects = new LinkedHashMap<>();
    private final Map<String, String> objectOptions = new LinkedHashMap<>();
    private String accelType;
    private final Map<String, Object> accelProps = new LinkedHashMap<>();
    private boolean startPaused;
    private boolean nographic;
    private Optional<String> serial = Optional.empty();
    private final List<String> qmp = new ArrayList<>();
    private final List<NetdevConfig> netdevs = new ArrayList<>();
    private final List<DeviceConfig> devices = new ArrayList<>();
    private Optional<String> incoming = Optional.empty();
    private Optional<String> bios = Optional.empty();
    private final Map<String, String> chardevSockets = new LinkedHashMap<>();

    private QemuCommandLine() {
    }

    /** True if {@code arg} looks like a QEMU option this parser knows ({@code -m}, {@code --machine}). */
    public static boolean isOption(String arg) {
        String o = optionName(arg);
        return o != null && (WITH_ARG.contains(o) || FLAGS.contains(o));
    }

    public static VmConfig parse(List<String> args) {
        return new QemuCommandLine().run(args);
    }

    private static String optionName(String arg) {
        if (arg.startsWith("--")) {
            return arg.substring(2);
        }
        return arg.startsWith("-") ? arg.substring(1) : null;
    }

    private VmConfig run(List<String> args) {
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            String opt = optionName(arg);
            if (opt == null || opt.isEmpty()) {
                throw new ConfigException("unexpected argument '" + arg + "' (argument " + (i + 1)
                        + "); options start with '-', e.g. -machine none");
            }
            if (FLAGS.contains(opt)) {
                flag(opt);
                continue;
            }
            if (!WITH_ARG.contains(opt)) {
                throw new ConfigException("unknown option '" + arg + "' (argument " + (i + 1) + "); jvmm accepts -"
                        + String.join(", -", new java.util.TreeSet<>(union())) + "; see ./jvmm --help");
            }
            if (i + 1 >= args.size()) {
                throw new ConfigException("option '" + arg + "' needs an argument");
            }
            String value = args.get(++i);
            String where = "-" + opt + " " + abbreviate(value);
            try {
                option(opt, value, where);
            } catch (ConfigError e) {
                throw e;
            } catch (ConfigException e) {
                throw new ConfigException("-" + opt + " " + value + ": " + e.getMessage());
            }
        }
        return build();
    }

    private static Set<String> union() {
        Set<String> all = new java.util.HashSet<>(WITH_ARG);
        all.addAll(FLAGS);
        return all;
    }

    private void flag(String opt) {
        switch (opt) {
            case "S" -> startPaused = true;
            case "nodefaults" -> {
                // jvmm adds no default devices at all; accepted so QEMU command lines work as is
            }
            case "nographic" -> nographic = true;
            case "enable-kvm" -> setAccel("kvm", Map.of(), "-enable-kvm");
            default -> throw new IllegalStateException(opt);
        }
    }

    private void option(String opt, String value, String where) {
        switch (opt) {
            case "name" -> {
                Map<String, String> o = QemuOpts.parse(value, "guest");
                onlyKeys(o, Set.of("guest", "process", "debug-threads"));
                name = Optional.ofNullable(o.get("guest"));
                sources.put("name", where);
            }
            case "machine", "M" -> {
                Map<String, String> o = QemuOpts.parse(value, "type");
                for (Map.Entry<String, String> e : o.entrySet()) {
                    switch (e.getKey()) {
                        case "type" -> {
                            machineType = e.getValue();
                            sources.put("machine.type", where);
                        }
                        case "memory-backend" -> memoryBackendId = Optional.of(e.getValue());
                        case "accel" -> setAccel(e.getValue(), Map.of(), where);
                        default -> {
                            machineProps.put(e.getKey(), e.getValue());
                            sources.put("machine." + e.getKey(), where);
                        }
                    }
                }
                sources.put("machine", where);
            }
            case "m" -> {
                Map<String, String> o = QemuOpts.parse(value, "size");
                onlyKeys(o, Set.of("size"));
                // QEMU's -m reads a bare number as MiB
                memSize = Optional.of(PropertyValues.parseSize(o.get("size"), 1L << 20));
                sources.put("machine.memory.size", where);
            }
            case "object" -> {
                Map<String, String> o = QemuOpts.parse(value, "qom-type");
                String type = o.remove("qom-type");
                if (!MEMORY_BACKENDS.contains(type)) {
                    throw new ConfigException("object type '" + type + "' is not supported; jvmm knows "
                            + String.join(", ", new java.util.TreeSet<>(MEMORY_BACKENDS)));
                }
                String id = o.get("id");
                if (id == null) {
                    throw new ConfigException("needs id=");
                }
                if (objects.containsKey(id)) {
                    throw new ConfigException("duplicate object id '" + id + "'");
                }
                o.put("qom-type", type);
                objects.put(id, o);
                objectOptions.put(id, where);
            }
            case "accel" -> {
                Map<String, String> o = QemuOpts.parse(value, "accel");
                String type = o.remove("accel");
                setAccel(type, o, where);
            }
            case "display" -> {
                Map<String, String> o = QemuOpts.parse(value, "type");
                if (!"none".equals(o.get("type")) || o.size() != 1) {
                    throw new ConfigException("jvmm has no display; use -display none");
                }
            }
            case "serial" -> {
                if (serial.isPresent()) {
                    throw new ConfigException("only one -serial is supported");
                }
                serial = Optional.of(value.equals("mon:stdio") ? "stdio" : value);
                sources.put("serial", where);
            }
            case "qmp" -> {
                qmp.add(qmpSocket(value));
                sources.put("qmp[" + (qmp.size() - 1) + "]", where);
            }
            case "chardev" -> {
                Map<String, String> o = QemuOpts.parse(value, "backend");
                if (!"socket".equals(o.get("backend")) || !o.containsKey("path") || !o.containsKey("id")) {
                    throw new ConfigException("jvmm supports only -chardev socket,id=ID,path=PATH,server=on,wait=off"
                            + " (for -mon)");
                }
                onlyKeys(o, Set.of("backend", "id", "path", "server", "wait"));
                checkServerNoWait(o);
                chardevSockets.put(o.get("id"), "unix:" + o.get("path"));
            }
            case "mon" -> {
                Map<String, String> o = QemuOpts.parse(value, "chardev");
                onlyKeys(o, Set.of("chardev", "mode", "pretty"));
                if (!"control".equals(o.get("mode"))) {
                    throw new ConfigException("jvmm has only the QMP monitor: use mode=control");
                }
                String socket = chardevSockets.get(o.get("chardev"));
                if (socket == null) {
                    throw new ConfigException("no -chardev with id '" + o.get("chardev") + "' (give -chardev first)");
                }
                qmp.add(socket);
                sources.put("qmp[" + (qmp.size() - 1) + "]", where);
            }
            case "netdev" -> {
                LinkedHashMap<String, String> o = QemuOpts.parse(value, "type");
                String type = o.remove("type");
                String id = o.remove("id");
                if (id == null) {
                    throw new ConfigException("needs id=");
                }
                String path = "netdevs[" + netdevs.size() + "]";
                netdevs.add(new NetdevConfig(id, type, QemuOpts.asRaw(o)));
                sources.put(path, where);
            }
            case "device" -> {
                LinkedHashMap<String, String> o = QemuOpts.parse(value, "driver");
                String driver = o.remove("driver");
                Optional<String> id = Optional.ofNullable(o.remove("id"));
                String path = "devices[" + devices.size() + "]";
                devices.add(new DeviceConfig(driver, id, QemuOpts.asRaw(o)));
                sources.put(path, where);
            }
            case "incoming" -> {
                incoming = Optional.of(value);
                sources.put("incoming", where);
            }
            case "qtest" -> {
                if (!value.equals("null")) {
                    accelProps.put("socket", value);
                    sources.put("accel.socket", where);
                    sources.put("accel", where);
                }
            }
            case "qtest-log" -> {
                accelProps.put("log", value);
                sources.put("accel.log", where);
            }
            case "bios" -> {
                bios = Optional.of(value);
                sources.put("bios", where);
            }
            default -> throw new IllegalStateException(opt);
        }
    }

    private void setAccel(String type, Map<String, String> props, String where) {
        if (accelType != null) {
            throw new ConfigException("only one accelerator can be given (jvmm does not fall back between several)");
        }
        accelType = type;
        accelProps.putAll(props);
        sources.put("accel", where);
        sources.put("accel.type", where);
        props.keySet().forEach(k -> sources.put("accel." + k, where));
    }

    private static String qmpSocket(String value) {
        Map<String, String> o = QemuOpts.parse(value, "address");
        onlyKeys(o, Set.of("address", "server", "wait", "nowait", "pretty"));
        String address = o.get("address");
        if (!address.startsWith("unix:") || address.length() == 5) {
            throw new ConfigException("jvmm serves QMP on UNIX sockets only: use unix:PATH,server=on,wait=off");
        }
        checkServerNoWait(o);
        return address;
    }

    private static void checkServerNoWait(Map<String, String> o) {
        if (o.containsKey("server") && !PropertyValues.parseBool(o.get("server"))) {
            throw new ConfigException("server=off is not supported: jvmm listens on the socket (server=on)");
        }
        boolean wait = o.containsKey("wait") ? PropertyValues.parseBool(o.get("wait")) : !o.containsKey("nowait");
        if (wait && (o.containsKey("wait") || o.containsKey("server"))) {
            throw new ConfigException("wait=on is not supported: jvmm starts without waiting for a client (wait=off)");
        }
    }

    private static void onlyKeys(Map<String, String> o, Set<String> known) {
        for (String k : o.keySet()) {
            if (!known.contains(k)) {
                throw new ConfigException("unknown parameter '" + k + "'; known: "
                        + String.join(", ", new java.util.TreeSet<>(known)));
            }
        }
    }

    private VmConfig build() {
        if (machineType == null) {
            throw new ConfigException("no machine type: give -machine TYPE (e.g. -machine none or -machine q35)");
        }
        MemoryConfig memory = memory();
        MachineConfig machine = new MachineConfig(machineType, memory, machineProps);
        // -qtest implies the qtest accelerator unless -accel names another
        String type = accelType != null ? accelType : accelProps.containsKey("socket") ? "qtest" : null;
        if (type == null && !accelProps.isEmpty()) {
            throw new ConfigException("-qtest-log needs -qtest unix:PATH");
        }
        Optional<AccelConfig> accel = type == null ? Optional.empty() : Optional.of(new AccelConfig(type, accelProps));
        Optional<String> serialOut = serial.isEmpty() && nographic ? Optional.of("stdio") : serial;
        return new VmConfig(name, machine, accel, startPaused, netdevs, devices, serialOut, qmp, incoming, bios,
                sources.build());
    }

    private MemoryConfig memory() {
        if (memoryBackendId.isEmpty()) {
            if (!objects.isEmpty()) {
                String id = objects.keySet().iterator().next();
                throw new ConfigException(objectOptions.get(id) + ": memory backend '" + id
                        + "' is not used; add -machine memory-backend=" + id);
            }
            return new MemoryConfig(memSize.orElse(MemoryConfig.DEFAULT_SIZE), "ram", Optional.empty(), false);
        }
        String id = memoryBackendId.get();
        Map<String, String> o = objects.get(id);
        if (o == null) {
            throw new ConfigException("-machine memory-backend=" + id + ": no -object with id '" + id + "'"
                    + (objects.isEmpty() ? "" : "; objects: " + String.join(", ", objects.keySet())));
        }
        for (String other : objects.keySet()) {
            if (!other.equals(id)) {
                throw new ConfigException(objectOptions.get(other) + ": memory backend '" + other + "' is not used");
            }
        }
        String where = objectOptions.get(id);
        sources.put("machine.memory", where);
        String type = o.get("qom-type");
        String backend = type.substring("memory-backend-".length());
        Set<String> known = switch (backend) {
            case "file" -> Set.of("qom-type", "id", "size", "mem-path", "share");
            case "memfd" -> Set.of("qom-type", "id", "size", "share");
            default -> Set.of("qom-type", "id", "size", "share");
        };
        try {
            onlyKeys(o, known);
        } catch (ConfigException e) {
            throw new ConfigException(where + ": " + e.getMessage());
        }
        if (!o.containsKey("size")) {
            throw new ConfigException(where + ": needs size=");
        }
        long size = PropertyValues.parseSize(o.get("size"), 1);
        if (memSize.isPresent() && memSize.get() != size) {
            throw new ConfigException("-m " + PropertyValues.formatSize(memSize.get()) + " does not match the size of"
                    + " memory backend '" + id + "' (" + PropertyValues.formatSize(size) + ")");
        }
        Optional<String> path = Optional.ofNullable(o.get("mem-path"));
        if (backend.equals("file") && path.isEmpty()) {
            throw new ConfigException(where + ": memory-backend-file needs mem-path=");
        }
        boolean share = o.containsKey("share") ? PropertyValues.parseBool(o.get("share")) : backend.equals("memfd");
        return new MemoryConfig(size, backend, path, share);
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
