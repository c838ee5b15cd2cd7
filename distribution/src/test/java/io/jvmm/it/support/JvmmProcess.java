package io.jvmm.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real jvmm process started from the distribution layout (target/jvmm/bin/jvmm), for end-to-end
 * tests. Output goes to files (a full pipe can never block jvmm); {@link #close()} kills it if it is
 * still running, so use it in try-with-resources.
 *
 * <pre>
 * try (JvmmProcess vm = JvmmProcess.builder().args("-machine", "none", "-qmp", JvmmProcess.qmpArg(sock)).start();
 *      QmpClient qmp = vm.qmp(sock)) {
 *     qmp.execute("query-status");
 *     assertEquals(0, vm.stop());            // SIGTERM, wait, exit status
 * }
 * </pre>
 */
public final class JvmmProcess implements AutoCloseable {
    private final Process process;
    private final Path stdout;
    private final Path stderr;
    private final List<String> command;
    private final List<QmpClient> clients = new ArrayList<>();

    private JvmmProcess(Process process, Path stdout, Path stderr, List<String> command) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
        this.command = command;
    }

    /** The distribution layout the build assembled (system property jvmm.layout, set by the pom). */
    public static Path layout() {
        String p = System.getProperty("jvmm.layout");
        Path layout = p != null ? Path.of(p) : Path.of("target", "jvmm").toAbsolutePath();
        if (!Files.isExecutable(layout.resolve("bin/jvmm"))) {
            throw new IllegalStateException("no jvmm layout at " + layout + "; build with mvn -pl distribution"
                    + " process-test-classes (or ./test)");
        }
        return layout;
    }

    /** The bin/jvmm script. */
    public static Path executable() {
        return layout().resolve("bin/jvmm");
    }

    /** {@code unix:PATH,server=on,wait=off} for -qmp. */
    public static String qmpArg(Path socket) {
        return "unix:" + socket + ",server=on,wait=off";
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts {@code jvmm ARGS...}. */
    public static JvmmProcess start(String... args) {
        return builder().args(args).start();
    }

    /** Starts {@code jvmm run YAML}. */
    public static JvmmProcess startYaml(Path yaml) {
        return builder().args("run", yaml.toString()).start();
    }

    /** Runs {@code jvmm ARGS...} to completion (validate, plugins, a failing start). */
    public static Result run(Duration timeout, String... args) {
        try (JvmmProcess p = start(args)) {
            int status = p.waitFor(timeout);
            return new Result(status, p.stdout(), p.stderr());
        }
    }

    /** The outcome of {@link #run}. */
    public record Result(int exitStatus, String stdout, String stderr) {
    }

    public static final class Builder {
        private final List<String> prefix = new ArrayList<>();
        private final List<String> args = new ArrayList<>();
        private final Map<String, String> env = new LinkedHashMap<>();
        private Path workDir;

        public Builder args(String... a) {
            args.addAll(List.of(a));
            return this;
        }

        public Builder args(List<String> a) {
            args.addAll(a);
            return this;
        }

        public Builder env(String name, String value) {
            env.put(name, value);
            return this;
        }

        /** Runs jvmm inside a network namespace ({@code ip netns exec NS jvmm ...}); needs root. */
        public Builder inNetns(String namespace) {
            prefix.clear();
            prefix.addAll(List.of("ip", "netns", "exec", namespace));
            return this;
        }

        public Builder workDir(Path dir) {
            workDir = dir;
            return this;
        }

        public JvmmProcess start() {
            List<String> cmd = new ArrayList<>(prefix);
            cmd.add(executable().toString());
            cmd.addAll(args);
            try {
                Path out = Files.createTempFile("jvmm-out-", ".log");
                Path err = Files.createTempFile("jvmm-err-", ".log");
                ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
                pb.environment().putAll(env);
                if (workDir != null) {
                    pb.directory(workDir.toFile());
                }
                return new JvmmProcess(pb.start(), out, err, cmd);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start " + cmd, e);
            }
        }
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Connects to the QMP socket once it appears (at most 20 s), reads the greeting. Fails with
     * jvmm's output if the process exits first. The client is closed with this process.
     */
    public QmpClient qmp(Path socket) {
        return qmp(socket, Duration.ofSeconds(20));
    }

    public QmpClient qmp(Path socket, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("jvmm exited with " + process.exitValue() + " before QMP was up:\n"
                        + describe());
            }
            if (Files.exists(socket)) {
                try {
                    QmpClient c = QmpClient.connect(socket);
                    clients.add(c);
                    return c;
                } catch (IOException e) {
                    // bound but not yet chmod'ed/accepting: retry
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no QMP socket at " + socket + " after " + timeout + ":\n" + describe());
            }
            sleep(20);
        }
    }

    /** Waits for the process to exit; returns its status, or fails (and kills it) after {@code timeout}. */
    public int waitFor(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("jvmm did not exit within " + timeout + ":\n" + describe());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Sends SIGTERM and waits (10 s at most) for the exit status. */
    public int stop() {
        process.destroy(); // SIGTERM on Linux
        return waitFor(Duration.ofSeconds(10));
    }

    /** Sends a signal by name (TERM, INT, KILL). */
    public void signal(String name) {
        try {
            new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start().waitFor();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public String stdout() {
        return read(stdout);
    }

    public String stderr() {
        return read(stderr);
    }

    /** The command line and everything jvmm printed so far, for assertion messages. */
    public String describe() {
        return "command: " + String.join(" ", command) + "\n--- stdout\n" + stdout() + "--- stderr\n" + stderr();
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + p + ": " + e + ")";
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Kills jvmm if it still runs, closes QMP clients, removes the output files. */
    @Override
    public void close() {
        for (QmpClient c : clients) {
            c.close();
        }
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            Files.deleteIfExists(stdout);
            Files.deleteIfExists(stderr);
        } catch (IOException ignored) {
            // temp files; the OS cleans them eventually
        }
    }
}
