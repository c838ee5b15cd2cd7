package io.jvmm.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Starts a VMM under qtest with a QEMU-style command line: QEMU 7.2 or jvmm, the same options for
 * both, so a test can compare what the guest sees. The test listens on the qtest socket, the VMM
 * connects ({@code -qtest unix:PATH}); {@link #start} returns once it has.
 *
 * <pre>{@code
 * try (QtestVm vm = VmLauncher.qemu().args("-device", "pcie-pci-bridge,id=pci.1,bus=pcie.0").start()) {
 *     PciEnumerator.enumerate(new PortPciConfig(vm.qtest()));
 * }
 * }</pre>
 */
public final class VmLauncher {
    /** Debian's qemu-system-x86 package; override with env JVMM_QEMU. */
    public static final Path QEMU_BINARY = Path.of(Optional.ofNullable(System.getenv("JVMM_QEMU"))
            .orElse("/usr/bin/qemu-system-x86_64"));

    private final String kind;
    private final List<String> command;
    private String machine = "q35";
    private String memory = "128M";
    private long memoryBytes = 128L << 20;
    private boolean sharedMemory;
    private boolean haltFirmware;
    private boolean qtestLog = true;
    private final List<String> extraArgs = new ArrayList<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private Path workDir;
    private Duration connectTimeout = Duration.ofSeconds(30);
    private List<String> wrapper = List.of();

    private VmLauncher(String kind, List<String> command) {
        this.kind = kind;
        this.command = List.copyOf(command);
    }

    /** QEMU 7.2 with the halt-only firmware (its vCPU then never touches a device). */
    public static VmLauncher qemu() {
        VmLauncher l = new VmLauncher("qemu", List.of(QEMU_BINARY.toString()));
        l.haltFirmware = true;
        return l;
    }

    /** jvmm started by {@code command} (for instance the distribution's {@code bin/jvmm}). */
    public static VmLauncher jvmm(List<String> command) {
        return new VmLauncher("jvmm", command);
    }

    public static boolean qemuAvailable() {
        return Files.isExecutable(QEMU_BINARY);
    }

    public VmLauncher machine(String machine) {
        this.machine = machine;
        return this;
    }

    /** RAM size in QEMU's -m syntax: a number with optional K/M/G suffix (default 128M). */
    public VmLauncher memory(String size) {
        this.memory = size;
        this.memoryBytes = parseSize(size);
        return this;
    }

    /** Backs RAM with a shared file in /dev/shm that the test maps too ({@link QtestVm#sharedRam()}). */
    public VmLauncher sharedMemory(boolean on) {
        this.sharedMemory = on;
        return this;
    }

    public VmLauncher haltFirmware(boolean on) {
        this.haltFirmware = on;
        return this;
    }

    /**
     * Logs every qtest request and reply to qtest.log in the work dir (default on; QEMU would log to
     * stderr without -qtest-log). Off gives {@code -qtest-log none}, for benchmarks.
     */
    public VmLauncher qtestLog(boolean on) {
        this.qtestLog = on;
        return this;
    }

    public VmLauncher args(String... args) {
        extraArgs.addAll(List.of(args));
        return this;
    }

    public VmLauncher args(List<String> args) {
        extraArgs.addAll(args);
        return this;
    }

    public VmLauncher env(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** Runs the VMM inside {@code prefix} (for instance {@code ip netns exec NS}). */
    public VmLauncher wrapper(List<String> prefix) {
        this.wrapper = List.copyOf(prefix);
        return this;
    }

    /** Where sockets, logs and the firmware go (default: a new temp dir, removed on close). */
    public VmLauncher workDir(Path dir) {
        this.workDir = dir;
        return this;
    }

    public VmLauncher connectTimeout(Duration timeout) {
        this.connectTimeout = timeout;
        return this;
    }

    /** The full command line (for logs and docs); the socket paths depend on the work dir. */
    public List<String> commandLine(Path dir) {
        List<String> cmd = new ArrayList<>(wrapper);
        cmd.addAll(command);
        cmd.addAll(List.of("-machine", machine, "-nodefaults", "-display", "none", "-m", memory));
        if (sharedMemory) {
            cmd.addAll(List.of("-object", "memory-backend-file,id=ram0,size=" + memory + ",mem-path="
                    + ramFile(dir) + ",share=on", "-machine", "memory-backend=ram0"));
        }
        if (haltFirmware) {
            cmd.addAll(List.of("-bios", dir.resolve("halt.bin").toString()));
        }
        cmd.addAll(List.of("-qtest", "unix:" + dir.resolve("qtest.sock"), "-qtest-log",
                qtestLog ? dir.resolve("qtest.log").toString() : "none"));
        cmd.addAll(extraArgs);
        return cmd;
    }

    public QtestVm start() throws IOException {
        Path dir = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("jvmm-qtest-");
        boolean ownsDir = workDir == null;
        if (haltFirmware) {
            HaltFirmware.write(dir.resolve("halt.bin"));
        }
        Path ramFile = sharedMemory ? ramFile(dir) : null;
        if (ramFile != null) {
            // QtestVm.close() removes it; this covers a test JVM that ends without closing (Ctrl-C)
            ramFile.toFile().deleteOnExit();
        }
        List<String> cmd = commandLine(dir);
        QtestListener listener = QtestListener.bind(dir.resolve("qtest.sock"));
        Process process = null;
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd)
                    .redirectOutput(dir.resolve("stdout.log").toFile())
                    .redirectError(dir.resolve("stderr.log").toFile());
            pb.environment().putAll(env);
            process = pb.start();
            Process p = process;
            QtestClient client = listener.accept(connectTimeout, p::isAlive);
            return new QtestVm(kind, cmd, process, client, listener, dir, ownsDir, ramFile, memoryBytes);
        } catch (IOException | RuntimeException e) {
            String stderr = "";
            if (process != null) {
                process.destroyForcibly();
                try {
                    process.waitFor();
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
                stderr = Files.exists(dir.resolve("stderr.log")) ? Files.readString(dir.resolve("stderr.log")) : "";
            }
            listener.close();
            throw new IOException(kind + " did not start: " + e.getMessage() + "\ncommand: " + String.join(" ", cmd)
                    + (stderr.isBlank() ? "" : "\nstderr:\n" + stderr), e);
        }
    }

    private Path ramFile(Path dir) {
        // /dev/shm so the pages are tmpfs pages both processes map; the dir name keeps it unique
        return Path.of("/dev/shm", "jvmm-testkit-" + dir.getFileName() + "-" + UUID.nameUUIDFromBytes(dir.toString().getBytes()).toString().substring(0, 8));
    }

    static long parseSize(String s) {
        String t = s.trim().toUpperCase();
        long mult = 1L << 20; // QEMU's -m default unit is MiB
        char last = t.charAt(t.length() - 1);
        if (Character.isLetter(last)) {
            mult = switch (last) {
                case 'K' -> 1L << 10;
                case 'M' -> 1L << 20;
                case 'G' -> 1L << 30;
                case 'T' -> 1L << 40;
                case 'B' -> 1;
                default -> throw new IllegalArgumentException("bad size '" + s + "'");
            };
            t = t.substring(0, t.length() - 1);
        }
        return Long.parseLong(t) * mult;
    }
}
