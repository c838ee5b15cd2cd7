package io.jvmm.testkit.host;

import java.io.IOException;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A private network namespace for a test or the demo: created with {@code ip netns add}, removed
 * on close (with everything in it, including taps created there). All traffic of jvmm's tests stays
 * inside such namespaces, on addresses the test assigns.
 */
public final class NetNamespace implements AutoCloseable {
    private final String name;
    private NamespaceThread thread;

    private NetNamespace(String name) {
        this.name = name;
    }

    /** Creates {@code <prefix>-<random>}; fails with a clear message without root or iproute2. */
    public static NetNamespace create(String prefix) {
        String name = prefix + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff));
        run(List.of("ip", "netns", "add", name));
        NetNamespace ns = new NetNamespace(name);
        ns.exec("ip", "link", "set", "lo", "up");
        return ns;
    }

    /** Why namespaces cannot be used here, or null if they can. */
    public static String unavailableReason() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "network namespaces and TAP devices need root (run as root or with sudo)";
        }
        if (!Files.exists(Path.of("/dev/net/tun"))) {
            return "/dev/net/tun is missing (load the tun module: modprobe tun)";
        }
        if (!Files.isExecutable(Path.of("/usr/sbin/ip")) && !Files.isExecutable(Path.of("/sbin/ip"))
                && !Files.isExecutable(Path.of("/usr/bin/ip"))) {
            return "iproute2 is missing (apt-get install -y iproute2)";
        }
        return null;
    }

    public String name() {
        return name;
    }

    /** Runs a command inside the namespace ({@code ip netns exec}); returns its stdout. */
    public String exec(String... command) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name));
        cmd.addAll(List.of(command));
        return run(cmd);
    }

    /** The command line prefix that starts a process inside this namespace. */
    public List<String> execPrefix() {
        return List.of("ip", "netns", "exec", name);
    }

    /**
     * Creates a persistent TAP device in the namespace ({@code ip tuntap add}), with an address and
     * up; {@code multiQueue} allows several queues (required for queues &gt; 1).
     */
    public void addTap(String tap, boolean multiQueue, String cidr) {
        List<String> cmd = new ArrayList<>(List.of("ip", "tuntap", "add", "dev", tap, "mode", "tap"));
        if (multiQueue) {
            cmd.add("multi_queue");
        }
        exec(cmd.toArray(String[]::new));
        exec("ip", "addr", "add", cidr, "dev", tap);
        exec("ip", "link", "set", tap, "up");
    }

    /**
     * Sets a device's transmit queue length ({@code ip link set DEV txqueuelen N}). For a tap this is
     * how many frames each of its queues holds for the reader (the VMM) before the kernel drops
     * (counted in {@code tx_dropped}); the kernel default is 1000.
     */
    public void setTxQueueLength(String dev, int frames) {
        exec("ip", "link", "set", dev, "txqueuelen", Integer.toString(frames));
    }

    /** A device's transmit queue length as the kernel reports it. */
    public int txQueueLength(String dev) {
        return Integer.parseInt(exec("cat", "/sys/class/net/" + dev + "/tx_queue_len").trim());
    }

    /** A static neighbour entry, so the kernel does not wait on ARP nobody answers yet. */
    public void addNeighbour(String ip, String mac, String dev) {
        exec("ip", "neigh", "replace", ip, "lladdr", mac, "dev", dev, "nud", "permanent");
    }

    /** Number of queues attached to a tap right now (tx queues the kernel enabled for it). */
    public int tapQueues(String tap) {
        String out = exec("sh", "-c", "ls /sys/class/net/" + tap + "/queues | grep -c '^tx-'");
        return Integer.parseInt(out.trim());
    }

    /**
     * One of the device's counters in {@code /sys/class/net/DEV/statistics}, e.g. {@code tx_dropped}:
     * for a tap, frames the host sent towards the guest that the kernel dropped because the tap's
     * queue was full (nobody read it in time).
     */
    public long deviceCounter(String dev, String counter) {
        return Long.parseLong(exec("cat", "/sys/class/net/" + dev + "/statistics/" + counter).trim());
    }

    /**
     * One of the namespace's UDP counters from {@code /proc/net/snmp}, e.g. {@code RcvbufErrors}:
     * datagrams that reached a socket whose receive buffer was full (the reader was late).
     */
    public long udpCounter(String counter) {
        String[] header = null;
        for (String line : exec("cat", "/proc/net/snmp").split("\n")) {
            if (!line.startsWith("Udp: ")) {
                continue;
            }
            String[] f = line.substring(5).trim().split(" +");
            if (header == null) {
                header = f;
            } else {
                for (int i = 0; i < header.length && i < f.length; i++) {
                    if (header[i].equals(counter)) {
                        return Long.parseLong(f[i]);
                    }
                }
            }
        }
        throw new IllegalArgumentException("no UDP counter " + counter + " in /proc/net/snmp of " + name);
    }

    /** True if the device exists in the namespace. */
    public boolean hasDevice(String dev) {
        try {
            exec("ip", "link", "show", dev);
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    /** A UDP socket that lives in this namespace (created by a thread that entered it). */
    public DatagramChannel openDatagramChannel() {
        synchronized (this) {
            if (thread == null) {
                thread = new NamespaceThread(name);
            }
        }
        return thread.call(DatagramChannel::open);
    }

    @Override
    public void close() {
        if (thread != null) {
            thread.close();
        }
        try {
            run(List.of("ip", "netns", "del", name));
        } catch (IllegalStateException e) {
            // Already gone; nothing else to clean.
        }
    }

    static String run(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", cmd) + ": timed out");
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + " failed (exit " + p.exitValue() + "): " + text.trim());
            }
            return text;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + cmd.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
