package io.jvmm.demo;

import io.jvmm.testkit.host.NetNamespace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The host side of the demo: a private network namespace with a multi-queue tap (host address
 * 192.168.100.1, guest 192.168.100.2, as in the seed's test), the shared guest-RAM file, and a work
 * directory for sockets and logs. Everything is removed on close.
 */
public final class DemoNetwork implements AutoCloseable {
    public static final String TAP = "tap0";
    public static final String HOST_IP = "192.168.100.1";
    public static final String GUEST_IP = "192.168.100.2";
    public static final String GUEST_MAC = "52:54:00:12:34:56";
    public static final int ECHO_PORT = 7;

    private final NetNamespace ns;
    private final Path workDir;
    private final Path ramFile;

    private DemoNetwork(NetNamespace ns, Path workDir, Path ramFile) {
        this.ns = ns;
        this.workDir = workDir;
        this.ramFile = ramFile;
    }

    /** @param tapQueueLength frames each tap queue buffers for the VMM ({@code txqueuelen}) */
    public static DemoNetwork create(boolean multiQueue, int tapQueueLength) throws IOException {
        NetNamespace ns = NetNamespace.create("jvmm-demo");
        try {
            ns.addTap(TAP, multiQueue, HOST_IP + "/24");
            // before any queue is attached: each queue's ring is sized from it when it attaches
            ns.setTxQueueLength(TAP, tapQueueLength);
            // The guest answers ARP too, but a static entry means no packet waits on resolution.
            ns.addNeighbour(GUEST_IP, GUEST_MAC, TAP);
            Path dir = Files.createTempDirectory(ns.name() + "-");
            return new DemoNetwork(ns, dir, Path.of("/dev/shm", ns.name() + "-ram"));
        } catch (RuntimeException | IOException e) {
            ns.close();
            throw e;
        }
    }

    public NetNamespace namespace() {
        return ns;
    }

    public Path workDir() {
        return workDir;
    }

    public Path ramFile() {
        return ramFile;
    }

    /** Queues the kernel has attached to the tap right now. */
    public int tapQueues() {
        return ns.tapQueues(TAP);
    }

    /** Frames each tap queue buffers for the VMM, as the kernel reports it. */
    public int tapQueueLength() {
        return ns.txQueueLength(TAP);
    }

    /** Frames towards the guest the kernel dropped so far because a tap queue was full. */
    public long tapDropped() {
        return ns.deviceCounter(TAP, "tx_dropped");
    }

    /**
     * Echoes the host's receiving socket dropped so far because its buffer was full (the stream's
     * receiver, in the demo's own JVM, was late): lost on the host, not by a VMM.
     */
    public long hostReceiveDropped() {
        return ns.udpCounter("RcvbufErrors");
    }

    @Override
    public void close() {
        ns.close(); // removes the tap with the namespace
        try {
            Files.deleteIfExists(ramFile);
        } catch (IOException ignored) {
            // best effort: /dev/shm is cleaned at reboot
        }
        // the VMs' sockets and logs (what went wrong is printed before this runs)
        try (var paths = Files.walk(workDir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort: /tmp is cleaned at reboot
        }
    }
}
