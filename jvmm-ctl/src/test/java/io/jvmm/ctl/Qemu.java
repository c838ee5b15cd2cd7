package io.jvmm.ctl;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real QEMU process for end-to-end tests, with no guest ({@code -machine none}) unless told otherwise. Tests
 * using it skip when QEMU is not installed, unless JVMM_REQUIRE_ALL=1 asks for every test to run.
 */
final class Qemu implements AutoCloseable {
    static final Path BINARY = Path.of("/usr/bin/qemu-system-x86_64");

    private final Process process;

    private Qemu(Process process) {
        this.process = process;
    }

    static void assumeInstalled() {
        if (Files.isExecutable(BINARY)) {
            return;
        }
        String reason = BINARY + " is missing: install the qemu-system-x86 package to run the tests against QEMU";
        if ("1".equals(System.getenv("JVMM_REQUIRE_ALL"))) {
            fail(reason + " (JVMM_REQUIRE_ALL=1 requires them)");
        }
        Assumptions.abort(reason);
    }

    /**
     * Starts QEMU with one QMP socket per path in {@code qmpSockets}, and waits until all of them accept
     * connections (QEMU creates the socket file before it listens: a file alone can still refuse).
     */
    static Qemu start(List<Path> qmpSockets, String... extraArgs) throws IOException, InterruptedException {
        assumeInstalled();
        List<String> command = new ArrayList<>(List.of(BINARY.toString(), "-machine", "none", "-nodefaults",
                "-display", "none", "-m", "32"));
        for (Path socket : qmpSockets) {
            command.addAll(List.of("-qmp", "unix:" + socket + ",server=on,wait=off"));
        }
        command.addAll(List.of(extraArgs));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Qemu qemu = new Qemu(process);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!qmpSockets.stream().allMatch(Qemu::listening)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                qemu.close();
                fail("QEMU did not create its QMP socket(s) " + qmpSockets + ": " + command);
            }
            Thread.sleep(5);
        }
        // QEMU serves one client per monitor: it takes the next one only after its main loop has seen
        // the probe hang up. A CI run once got "connection refused" right here; give it that moment.
        Thread.sleep(100);
        return qemu;
    }

    private static boolean listening(Path socket) {
        if (!Files.exists(socket)) {
            return false;
        }
        try (java.nio.channels.SocketChannel probe = java.nio.channels.SocketChannel.open(
                java.net.UnixDomainSocketAddress.of(socket))) {
            return true; // QEMU greets the probe and takes the next client once it closes
        } catch (IOException e) {
            return false;
        }
    }

    boolean exitsWithin(long millis) throws InterruptedException {
        return process.waitFor(millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
