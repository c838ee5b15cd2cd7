package io.jvmm.core.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.jvmm.spi.config.ConfigException;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a VM from YAML into {@link VmConfig}. The parser's tokens are walked directly (not through
 * data binding) so every node keeps its line number and every error names its path and line.
 * Device and netdev properties are flat keys with QEMU's names next to {@code type} and {@code id}.
 */
public final class YamlConfigLoader {
    private static final long MAX_FILE_SIZE = 4 << 20;
    static final List<String> TOP_KEYS = List.of("name", "machine", "accel", "start-paused", "netdevs", "devices",
            "serial", "qmp", "incoming", "bios");
    private static final YAMLFactory FACTORY = new YAMLFactory();

    private final SourceMap.Builder sources = new SourceMap.Builder();

    private YamlConfigLoader() {
    }

    public static VmConfig load(Path file) {
        String text;
        try {
            if (Files.size(file) > MAX_FILE_SIZE) {
                throw new ConfigException(file + ": larger than 4 MiB; that is not a VM description");
            }
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": no such file");
        } catch (java.nio.charset.MalformedInputException e) {
            throw new ConfigException(file + ": not UTF-8 text");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage());
        }
        return parse(text);
    }

    public static VmConfig parse(String yaml) {
        return new YamlConfigLoader().map(readTree(new StringReader(yaml)));
    }

    // ---- YAML to a tree with lines

    static YamlNode readTree(Reader reader) {
        try (JsonParser p = FACTORY.createParser(reader)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw new ConfigException("the file is empty; a VM needs at least 'machine'");
            }
            YamlNode root = readNode(p, t, "");
            if (p.nextToken() != null) {
                throw new ConfigException("more than one YAML document (line " + line(p) + "); put one VM in a file");
            }
            return root;
        } catch (JsonProcessingException e) {
            String msg = e.getOriginalMessage();
            int l = e.getLocation() == null ? -1 : e.getLocation().getLineNr();
            throw new ConfigException("not valid YAML: " + firstLine(msg) + (l > 0 ? " (line " + l + ")" : ""));
        } catch (IOException e) {
            throw new ConfigException("cannot read YAML: " + e.getMessage());
        }
    }

    private static YamlNode readNode(JsonParser p, JsonToken t, String path) throws IOException {
        int line = line(p);
        switch (t) {
            case START_OBJECT -> {
                LinkedHashMap<String, YamlNode> entries = new LinkedHashMap<>();
                LinkedHashMap<String, Integer> keyLines = new LinkedHashMap<>();
                JsonToken k;
                while ((k = p.nextToken()) == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    int keyLine = line(p);
                    if (entries.containsKey(key)) {
                        throw new ConfigException(join(path, key) + ": key given twice (lines "
                                + keyLines.get(key) + " and " + keyLine + ")");
                    }
                    YamlNode value = readNode(p, p.nextToken(), join(path, key));
                    entries.put(key, value);
                    keyLines.put(key, keyLine);
                }
                return new YamlNode.Mapping(entries, keyLines, line);
            }
            case START_ARRAY -> {
                List<YamlNode> items = new ArrayList<>();
                JsonToken k;
                while ((k = p.nextToken()) != JsonToken.END_ARRAY) {
                    items.add(readNode(p, k, path + "[" + items.size() + "]"));
                }
                return new YamlNode.Sequence(items, line);
            }
            case VALUE_NULL -> {
                return new YamlNode.Scalar(null, line);
            }
            case VALUE_STRING, VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT, VALUE_TRUE, VALUE_FALSE -> {
                return new YamlNode.Scalar(p.getText(), line);
            }
            default -> throw new ConfigException((path.isEmpty() ? "" : path + ": ")
                    + "unsupported YAML construct " + t + " (line " + line + ")");
        }
    }

    private static int line(JsonParser p) {
        return p.currentTokenLocation().getLineNr();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "syntax error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    // ---- tree to model

    private VmConfig map(YamlNode root) {
        if (!(root instanceof YamlNode.Mapping top)) {
            throw new ConfigException("the top level must be a mapping with keys " + String.join(", ", TOP_KEYS)
                    + ", found " + YamlNode.kind(root) + " (line " + root.line() + ")");
        }
        recordLines("", top);
        checkKeys("", top, Set.copyOf(TOP_KEYS));
        Optional<String> name = optionalScalar(top, "name", "");
        MachineConfig machine = machine(top);
        Optional<AccelConfig> accel = Optional.ofNullable(top.entries().get("accel")).map(n -> accel(n));
        boolean startPaused = optionalScalar(top, "start-paused", "").map(v -> bool(v, "start-paused")).orElse(false);
        List<NetdevConfig> netdevs = new ArrayList<>();
        for (Map.Entry<String, YamlNode> e : items(top, "netdevs")) {
            netdevs.add(netdev(e.getKey(), e.getValue()));
        }
        List<DeviceConfig> devices = new ArrayList<>();
        for (Map.Entry<String, YamlNode> e : items(top, "devices")) {
            devices.add(device(e.getKey(), e.getValue()));
        }
        Optional<String> serial = optionalScalar(top, "serial", "");
        List<String> qmp = new ArrayList<>();
        YamlNode q = top.entries().get("qmp");
        if (q instanceof YamlNode.Scalar s && s.text() != null) {
            qmp.add(s.text());
        } else if (q != null) {
            for (Map.Entry<String, YamlNode> e : items(top, "qmp")) {
                qmp.add(scalar(e.getValue(), e.getKey()));
            }
        }
        Optional<String> incoming = optionalScalar(top, "incoming", "");
        Optional<String> bios = optionalScalar(top, "bios", "");
        SourceMap sm = sources.build();
        return new VmConfig(name, machine, accel, startPaused, netdevs, devices, serial, qmp, incoming, bios, sm);
    }

    private MachineConfig machine(YamlNode.Mapping top) {
        YamlNode n = top.entries().get("machine");
        if (n == null) {
            throw error("machine", "missing; say which machine to build, e.g. 'machine: {type: q35, memory: 1G}'");
        }
        if (n instanceof YamlNode.Scalar s) {
            return new MachineConfig(scalar(s, "machine"), MemoryConfig.defaults(), Map.of());
        }
        YamlNode.Mapping m = mapping(n, "machine");
        String type = requiredScalar(m, "type", "machine");
        MemoryConfig memory = MemoryConfig.defaults();
        YamlNode mem = m.entries().get("memory");
        if (mem != null) {
            memory = memory(mem);
        }
        Map<String, Object> props = properties(m, "machine", Set.of("type", "memory"));
        return new MachineConfig(type, memory, props);
    }

    private MemoryConfig memory(YamlNode n) {
        String path = "machine.memory";
        if (n instanceof YamlNode.Scalar s) {
            return new MemoryConfig(size(scalar(s, path), path), "ram", Optional.empty(), false);
        }
        YamlNode.Mapping m = mapping(n, path);
        checkKeys(path, m, Set.of("size", "backend", "path", "share"));
        long size = optionalScalar(m, "size", path).map(v -> size(v, path + ".size")).orElse(MemoryConfig.DEFAULT_SIZE);
        String backend = optionalScalar(m, "backend", path).orElse("ram");
        if (!MemoryConfig.BACKENDS.contains(backend)) {
            throw error(path + ".backend", "unknown memory backend '" + backend + "'; known: "
                    + String.join(", ", MemoryConfig.BACKENDS));
        }
        Optional<String> file = optionalScalar(m, "path", path);
        boolean share = optionalScalar(m, "share", path).map(v -> bool(v, path + ".share")).orElse(backend.equals("memfd"));
        return new MemoryConfig(size, backend, file, share);
    }

    private AccelConfig accel(YamlNode n) {
        if (n instanceof YamlNode.Scalar s) {
            return new AccelConfig(scalar(s, "accel"), Map.of());
        }
        YamlNode.Mapping m = mapping(n, "accel");
        return new AccelConfig(requiredScalar(m, "type", "accel"), properties(m, "accel", Set.of("type")));
    }

    private NetdevConfig netdev(String path, YamlNode n) {
        YamlNode.Mapping m = mapping(n, path);
        String id = requiredScalar(m, "id", path);
        String type = requiredScalar(m, "type", path);
        return new NetdevConfig(id, type, properties(m, path, Set.of("id", "type")));
    }

    private DeviceConfig device(String path, YamlNode n) {
        YamlNode.Mapping m = mapping(n, path);
        String type = requiredScalar(m, "type", path);
        Optional<String> id = optionalScalar(m, "id", path);
        return new DeviceConfig(type, id, properties(m, path, Set.of("id", "type")));
    }

    /** Every key of {@code m} except {@code reserved}, as a raw property (string or list of strings). */
    private Map<String, Object> properties(YamlNode.Mapping m, String path, Set<String> reserved) {
        Map<String, Object> props = new LinkedHashMap<>();
        m.entries().forEach((key, value) -> {
            if (reserved.contains(key)) {
                return;
            }
            String p = path + "." + key;
            switch (value) {
                case YamlNode.Scalar s -> props.put(key, s.text() == null ? "" : s.text());
                case YamlNode.Sequence q -> {
                    List<String> list = new ArrayList<>();
                    for (int i = 0; i < q.items().size(); i++) {
                        list.add(scalar(q.items().get(i), p + "[" + i + "]"));
                    }
                    props.put(key, list);
                }
                case YamlNode.Mapping x -> throw error(p, "expected a value, found a mapping");
            }
        });
        return props;
    }

    private List<Map.Entry<String, YamlNode>> items(YamlNode.Mapping top, String key) {
        YamlNode n = top.entries().get(key);
        if (n == null || n instanceof YamlNode.Scalar s && s.text() == null) {
            return List.of();
        }
        if (!(n instanceof YamlNode.Sequence q)) {
            throw error(key, "expected a list, found " + YamlNode.kind(n));
        }
        List<Map.Entry<String, YamlNode>> out = new ArrayList<>();
        for (int i = 0; i < q.items().size(); i++) {
            out.add(Map.entry(key + "[" + i + "]", q.items().get(i)));
        }
        return out;
    }

    /** Records the line of every node under {@code node}, by path. */
    private void recordLines(String path, YamlNode node) {
        if (!path.isEmpty()) {
            sources.put(path, "line " + node.line());
        }
        switch (node) {
            case YamlNode.Mapping m -> m.entries().forEach((k, v) -> {
                String p = join(path, k);
                // the key's line: for a block mapping value that starts on the next line, the
                // key is where a reader looks
                sources.put(p, "line " + m.keyLines().get(k));
                recordLines(p, v);
            });
            case YamlNode.Sequence q -> {
                for (int i = 0; i < q.items().size(); i++) {
                    recordLines(path + "[" + i + "]", q.items().get(i));
                }
            }
            case YamlNode.Scalar s -> {
            }
        }
    }

    private void checkKeys(String path, YamlNode.Mapping m, Set<String> known) {
        for (String key : m.entries().keySet()) {
            if (!known.contains(key)) {
                throw error(join(path, key), "unknown key '" + key + "'; known keys"
                        + (path.isEmpty() ? "" : " of " + path) + ": " + String.join(", ", known.stream().sorted().toList()));
            }
        }
    }

    private YamlNode.Mapping mapping(YamlNode n, String path) {
        if (n instanceof YamlNode.Mapping m) {
            return m;
        }
        throw error(path, "expected a mapping, found " + YamlNode.kind(n));
    }

    private String requiredScalar(YamlNode.Mapping m, String key, String path) {
        YamlNode n = m.entries().get(key);
        if (n == null) {
            throw error(path, "'" + key + "' is missing");
        }
        String v = scalar(n, join(path, key));
        if (v.isEmpty()) {
            throw error(join(path, key), "must not be empty");
        }
        return v;
    }

    private Optional<String> optionalScalar(YamlNode.Mapping m, String key, String path) {
        YamlNode n = m.entries().get(key);
        return n == null ? Optional.empty() : Optional.of(scalar(n, join(path, key)));
    }

    private String scalar(YamlNode n, String path) {
        if (n instanceof YamlNode.Scalar s) {
            if (s.text() == null) {
                throw error(path, "has no value");
            }
            return s.text();
        }
        throw error(path, "expected a single value, found " + YamlNode.kind(n));
    }

    private boolean bool(String v, String path) {
        try {
            return PropertyValues.parseBool(v);
        } catch (ConfigException e) {
            throw error(path, e.getMessage());
        }
    }

    private long size(String v, String path) {
        try {
            // a bare number is bytes in YAML, as in memory-backend size=; -m's MiB is a CLI habit
            return PropertyValues.parseSize(v, 1);
        } catch (ConfigException e) {
            throw error(path, e.getMessage());
        }
    }

    private ConfigError error(String path, String problem) {
        return new ConfigError(path, problem, sources.build());
    }

    private static String join(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }
}
