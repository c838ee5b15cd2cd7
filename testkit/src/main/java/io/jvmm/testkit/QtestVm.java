package io.jvmm.testkit;

import io.jvmm.testkit.mem.GuestRam;
import io.jvmm.testkit.mem.SharedFileGuestRam;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A running VMM driven over qtest (QEMU or jvmm). Closing it closes the qtest socket, which makes
 * either VMM shut down; one that does not within a few seconds is killed, so a test never leaves a
 * process behind.
 */
public final class QtestVm implements AutoCloseable {
    private final String kind;
    private final List<String> command;
    private final Process process;
    private final QtestClient qtest;
    private final QtestListener listener;
    private final Path dir;
    private final boolean ownsDir;
    private final Path ramFile;
    private final long ramSize;
    private SharedFileGuestRam shared;

    QtestVm(String kind, List<String> command, Process process, QtestClient qtest, QtestListener listener, Path dir,
            boolean ownsDir, Path ramFile, long ramSize) {
        this.kind = kind;
        this.command = command;
        this.process = process;
        this.qtest = qtest;
        this.listener = listener;
        this.dir = dir;
        this.ownsDir = ownsDir;
        this.ramFile = ramFile;
        this.ramSize = ramSize;
    }

    /** "qemu" or "jvmm". */
    public String kind() {
        return kind;
    }

    public List<String> command() {
        return command;
    }

    public QtestClient qtest() {
        return qtest;
    }

    public Process process() {
        return process;
    }

    public Path workDir() {
        return dir;
    }

    public long ramSize() {
        return ramSize;
    }

    /** Guest RAM through the shared file when there is one, else through qtest. */
    public GuestRam ram() {
        return sharedRam().map(r -> (GuestRam) r).orElseGet(() -> new QtestGuestRam(qtest));
    }

    /** The shared-file mapping of guest RAM, when the VM was started with shared memory. */
    public synchronized Optional<SharedFileGuestRam> sharedRam() {
        if (ramFile == null) {
            return Optional.empty();
        }
        if (shared == null) {
            try {
                shared = SharedFileGuestRam.map(ramFile, ramSize);
            } catch (IOException e) {
                throw new UncheckedIOException("mapping " + ramFile, e);
            }
        }
        return Optional.of(shared);
    }

    public String stderr() {
        try {
            Path f = dir.resolve("stderr.log");
            return Files.exists(f) ? Files.readString(f) : "";
        } catch (IOException e) {
            return "(stderr unreadable: " + e.getMessage() + ")";
        }
    }

    /**
     * Closes the qtest socket and waits for the VMM to exit on its own (QEMU and jvmm both shut down
     * when the qtest peer goes away); returns the exit status, or -1 if it had to be killed.
     */
    public int shutdown(long timeoutMillis) {
        qtest.close();
        try {
            if (process.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
                return process.exitValue();
            }
            process.destroy();
            if (!process.waitFor(2, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        return -1;
    }

    @Override
    public synchronized void close() {
        if (process.isAlive()) {
            if (kind.equals("qemu")) {
                // QEMU 7.2 does not exit when the qtest peer goes away: SIGTERM it right away
                qtest.close();
                process.destroy();
                shutdown(5000);
            } else {
                shutdown(5000);
            }
        }
        if (shared != null) {
            shared.close();
            shared = null;
        }
        try {
            listener.close();
            if (ramFile != null) {
                Files.deleteIfExists(ramFile);
            }
            if (ownsDir && !Boolean.getBoolean("jvmm.keepWorkDirs")) {
                try (Stream<Path> s = Files.walk(dir)) {
                    s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        } catch (IOException e) {
            // leftovers in /tmp are harmless; the process is gone, which is what matters
        }
    }
}
