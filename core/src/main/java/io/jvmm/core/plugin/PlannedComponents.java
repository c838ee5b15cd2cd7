package io.jvmm.core.plugin;

import java.util.Map;
import java.util.Optional;

/**
 * Which plugin provides the well-known component names, so that a config naming one whose plugin is
 * not installed gets "comes from plugin X, which is not installed" instead of a bare "unknown".
 */
public final class PlannedComponents {
    private static final Map<String, String> MACHINES = Map.of("q35", "machine-q35");
    private static final Map<String, String> DEVICES = Map.of(
            "pcie-pci-bridge", "machine-q35",
            "virtio-net-pci", "virtio-net",
            "isa-serial", "machine-q35");
    private static final Map<String, String> NETDEVS = Map.of("tap", "tap", "socket", "net-socket");
    private static final Map<String, String> ACCELERATORS = Map.of("qtest", "accel-qtest");
    private static final Map<String, String> TRANSPORTS = Map.of("unix", "migration-unix");

    private PlannedComponents() {
    }

    /**
     * What to say about a well-known name no plugin provides yet: "kvm" (QEMU command lines say
     * {@code -accel kvm}; jvmm's KVM accelerator is future work, and the host may lack /dev/kvm).
     */
    public static Optional<String> notYetAvailable(String kind, String name) {
        if (kind.equals("accelerator") && (name.equals("kvm") || name.equals("tcg") || name.equals("hvf"))) {
            String host = name.equals("kvm") && !java.nio.file.Files.exists(java.nio.file.Path.of("/dev/kvm"))
                    ? " (and this host has no /dev/kvm)" : "";
            return Optional.of("jvmm has no " + name + " accelerator yet" + host + "; use -accel qtest");
        }
        return Optional.empty();
    }

    /** The plugin expected to provide {@code name} of {@code kind} (a registry's kind()). */
    public static Optional<String> providerOf(String kind, String name) {
        Map<String, String> table = switch (kind) {
            case "machine type" -> MACHINES;
            case "device type" -> DEVICES;
            case "netdev type" -> NETDEVS;
            case "accelerator" -> ACCELERATORS;
            case "migration transport" -> TRANSPORTS;
            default -> Map.of();
        };
        if (kind.equals("machine type") && name.startsWith("pc-q35-")) {
            return Optional.of("machine-q35");
        }
        return Optional.ofNullable(table.get(name));
    }
}
