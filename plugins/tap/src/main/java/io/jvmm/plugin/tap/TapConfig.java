package io.jvmm.plugin.tap;

import io.jvmm.spi.config.ConfigException;
import io.jvmm.spi.config.Properties;
import io.jvmm.spi.config.PropertySpec;
import io.jvmm.spi.config.PropertyType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The options of {@code -netdev tap}, with QEMU's names and meaning, validated once.
 *
 * @param ifname interface name or template with one {@code %d} (kernel expands it); OPEN only
 * @param queues queue count (1 means a single-queue tap, more means IFF_MULTI_QUEUE)
 * @param fds descriptors inherited from the parent (GIVEN_FDS only)
 * @param vnetHeader whether to use a virtio-net header (for GIVEN_FDS and INCOMING: what the fd has)
 * @param script run with the interface name after opening, empty for none
 * @param downscript run with the interface name before the last owner closes the tap
 * @param sndbuf TUNSETSNDBUF value per queue (Integer.MAX_VALUE means unlimited)
 */
record TapConfig(
        String id,
        Mode mode,
        String ifname,
        int queues,
        List<Integer> fds,
        VnetHeader vnetHeader,
        Optional<Path> script,
        Optional<Path> downscript,
        int sndbuf) {

    /** How the backend gets its descriptors. */
    enum Mode {
        /** Opens /dev/net/tun per queue (ifname= or the default template). */
        OPEN,
        /** Descriptors inherited from the parent process (fd=, fds=). */
        GIVEN_FDS,
        /** incoming-fds=on: opens nothing, receives the descriptors from the migration source. */
        INCOMING
    }

    /** vnet_hdr=on|off, or absent: use it when the kernel supports it (QEMU's default). */
    enum VnetHeader { AUTO, ON, OFF }

    static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TapConfig.class);
    static final String DEFAULT_IFNAME = "tap%d";
    static final Path DEFAULT_SCRIPT = Path.of("/etc/jvmm-ifup");
    static final Path DEFAULT_DOWNSCRIPT = Path.of("/etc/jvmm-ifdown");
    /** The kernel's MAX_TAP_QUEUES. */
    static final int MAX_QUEUES = 256;

    static List<PropertySpec> properties() {
        return List.of(
                optional("ifname", PropertyType.STRING,
                        "interface name, existing or created; one %d is replaced by the kernel (default tap%d)"),
                optional("queues", PropertyType.INT, "number of queues; more than 1 makes a multi_queue tap"),
                optional("fd", PropertyType.STRING, "an open tap descriptor inherited from the parent process"),
                PropertySpec.stringList("fds", "open tap descriptors of one multi_queue tap, colon-separated"),
                optional("vnet_hdr", PropertyType.BOOL,
                        "use a virtio-net header (default: when the kernel supports it)"),
                optional("script", PropertyType.STRING,
                        "run with the interface name after opening it; 'no' to skip (default /etc/jvmm-ifup)"),
                optional("downscript", PropertyType.STRING,
                        "run with the interface name before closing it; 'no' to skip (default /etc/jvmm-ifdown)"),
                optional("sndbuf", PropertyType.SIZE, "send buffer limit per queue in bytes (default and 0: unlimited)"),
                PropertySpec.bool("vhost", false, "vhost-net acceleration (not available: no /dev/vhost-net)"),
                PropertySpec.bool("incoming-fds", false,
                        "open nothing; receive the descriptors from a local migration (only with -incoming)"),
                optional("br", PropertyType.STRING, "bridge for the bridge helper (not supported)"),
                optional("helper", PropertyType.STRING, "bridge helper program (not supported)"));
    }

    private static PropertySpec optional(String name, PropertyType type, String description) {
        return new PropertySpec(name, type, null, false, description, List.of());
    }

    /** Validates the options; every refusal says what to do instead. */
    static TapConfig parse(String id, Properties p, boolean incomingMigration) {
        if (p.has("vhost") && p.bool("vhost")) {
            throw new ConfigException("netdev " + id + ": vhost=on is not available: this host has no "
                    + "/dev/vhost-net and jvmm's tap backend moves frames itself; remove vhost=on");
        }
        boolean incoming = p.has("incoming-fds") && p.bool("incoming-fds");
        if (incoming) {
            return parseIncoming(id, p, incomingMigration);
        }
        for (String unsupported : List.of("br", "helper")) {
            if (p.has(unsupported)) {
                throw new ConfigException("netdev " + id + ": " + unsupported + "= (qemu-bridge-helper) is not "
                        + "supported; create the tap with 'ip tuntap add', add it to the bridge, and use ifname=");
            }
        }
        int sndbuf = sndbuf(id, p);
        if (p.has("fd") && p.has("fds")) {
            throw new ConfigException("netdev " + id + ": fd= and fds= are mutually exclusive");
        }
        if (p.has("fd")) {
            rejectWith(id, p, "fd=", "ifname", "script", "downscript", "vnet_hdr", "queues");
            int fd = parseFd(id, "fd", p.string("fd"));
            return new TapConfig(id, Mode.GIVEN_FDS, null, 1, List.of(fd), VnetHeader.AUTO,
                    Optional.empty(), Optional.empty(), sndbuf);
        }
        if (p.has("fds")) {
            rejectWith(id, p, "fds=", "ifname", "script", "downscript", "vnet_hdr");
            List<String> raw = p.stringList("fds");
            if (raw.isEmpty()) {
                throw new ConfigException("netdev " + id + ": fds= lists no descriptors");
            }
            List<Integer> fds = new ArrayList<>();
            for (String s : raw) {
                int fd = parseFd(id, "fds", s);
                if (fds.contains(fd)) {
                    throw new ConfigException("netdev " + id + ": fds= lists descriptor " + fd + " twice");
                }
                fds.add(fd);
            }
            if (fds.size() > MAX_QUEUES) {
                throw new ConfigException("netdev " + id + ": fds= lists " + fds.size() + " descriptors; a tap has at most "
                        + MAX_QUEUES + " queues");
            }
            if (p.has("queues") && p.integer("queues") != fds.size()) {
                throw new ConfigException("netdev " + id + ": queues=" + p.integer("queues") + " but fds= lists "
                        + fds.size() + " descriptors; they must match");
            }
            return new TapConfig(id, Mode.GIVEN_FDS, null, fds.size(), List.copyOf(fds), VnetHeader.AUTO,
                    Optional.empty(), Optional.empty(), sndbuf);
        }
        String ifname = p.optionalString("ifname").orElse(DEFAULT_IFNAME);
        checkIfname(id, ifname);
        VnetHeader vnet = p.optionalBool("vnet_hdr").map(on -> on ? VnetHeader.ON : VnetHeader.OFF)
                .orElse(VnetHeader.AUTO);
        return new TapConfig(id, Mode.OPEN, ifname, queues(id, p), List.of(), vnet,
                script(p, "script", DEFAULT_SCRIPT), script(p, "downscript", DEFAULT_DOWNSCRIPT), sndbuf);
    }

    private static TapConfig parseIncoming(String id, Properties p, boolean incomingMigration) {
        if (!incomingMigration) {
            throw new ConfigException("netdev " + id + ": incoming-fds=on is valid only in a process started for "
                    + "an incoming migration (-incoming defer or -incoming URI)");
        }
        rejectWith(id, p, "incoming-fds=on (the tap and its settings come from the migration source)",
                "ifname", "vnet_hdr", "fd", "fds", "br", "helper", "sndbuf");
        // The interface already exists and is configured by the source: no ifup script here. The
        // downscript is ours to run, since this process owns the tap last.
        p.optionalString("script").filter(s -> !s.isBlank() && !s.equals("no")).ifPresent(s -> LOG.warn(
                "netdev {}: script={} is not run with incoming-fds=on: the interface exists and is configured", id, s));
        return new TapConfig(id, Mode.INCOMING, null, queues(id, p), List.of(), VnetHeader.AUTO,
                Optional.empty(), script(p, "downscript", DEFAULT_DOWNSCRIPT), Integer.MAX_VALUE);
    }

    private static void rejectWith(String id, Properties p, String what, String... names) {
        for (String name : names) {
            if (p.has(name)) {
                throw new ConfigException("netdev " + id + ": " + name + "= cannot be combined with " + what);
            }
        }
    }

    private static int queues(String id, Properties p) {
        long q = p.optionalInteger("queues").orElse(1L);
        if (q < 1 || q > MAX_QUEUES) {
            throw new ConfigException("netdev " + id + ": queues=" + q + " is outside 1.." + MAX_QUEUES);
        }
        return (int) q;
    }

    private static int sndbuf(String id, Properties p) {
        long v = p.optionalInteger("sndbuf").orElse(0L);
        if (v < 0 || v > Integer.MAX_VALUE) {
            throw new ConfigException("netdev " + id + ": sndbuf=" + v + " is outside 0.." + Integer.MAX_VALUE
                    + " (0 means unlimited)");
        }
        return v == 0 ? Integer.MAX_VALUE : (int) v;
    }

    private static int parseFd(String id, String option, String text) {
        try {
            int fd = Integer.parseInt(text.trim());
            if (fd >= 0) {
                return fd;
            }
        } catch (NumberFormatException e) {
            // fall through to the message below
        }
        throw new ConfigException("netdev " + id + ": " + option + "=" + text + " is not a descriptor number; pass "
                + "the number of a tap descriptor this process inherited (monitor fd names are not supported)");
    }

    /** Linux's dev_valid_name and __dev_alloc_name rules, checked here for a clearer message. */
    static void checkIfname(String id, String ifname) {
        if (ifname.isEmpty()) {
            throw new ConfigException("netdev " + id + ": ifname is empty");
        }
        if (ifname.length() > TapNative.IFNAMSIZ - 1) {
            throw new ConfigException("netdev " + id + ": ifname '" + ifname + "' is " + ifname.length()
                    + " characters; Linux interface names have at most " + (TapNative.IFNAMSIZ - 1));
        }
        if (ifname.equals(".") || ifname.equals("..")) {
            throw new ConfigException("netdev " + id + ": ifname '" + ifname + "' is not a valid interface name");
        }
        for (char c : ifname.toCharArray()) {
            if (c == '/' || c == ':' || Character.isWhitespace(c) || c < 0x21 || c > 0x7e) {
                throw new ConfigException("netdev " + id + ": ifname '" + ifname
                        + "' contains '" + c + "'; interface names cannot contain '/', ':', spaces or non-ASCII");
            }
        }
        int percent = ifname.indexOf('%');
        if (percent >= 0 && (!ifname.startsWith("%d", percent) || ifname.indexOf('%', percent + 1) >= 0)) {
            throw new ConfigException("netdev " + id + ": ifname '" + ifname
                    + "': a template may contain one %d and no other '%'");
        }
    }

    private static Optional<Path> script(Properties p, String name, Path defaultPath) {
        Optional<String> v = p.optionalString(name);
        if (v.isEmpty()) {
            return Optional.of(defaultPath);
        }
        String s = v.get().trim();
        if (s.isEmpty() || s.equals("no")) {
            return Optional.empty();
        }
        return Optional.of(Path.of(s));
    }
}
