package io.jvmm.testkit.net;

import io.jvmm.testkit.QtestVm;
import io.jvmm.testkit.VmLauncher;
import io.jvmm.testkit.host.NetNamespace;
import io.jvmm.testkit.pci.PciFunctionInfo;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Packets per second through virtio-net-pci and a multi-queue tap, QEMU 7.2 and jvmm side by side:
 * guest to host (the testkit driver fills every transmit ring and kicks; the tap's rx counter
 * says what reached the host) and host to guest (UDP from the namespace over one flow per queue;
 * the driver counts what lands in its receive rings). Guest RAM is a shared file, so the driver
 * touches rings directly and only doorbells go through qtest.
 *
 * <p>Usage: {@code NetBench [--jvmm BIN] [--qemu BIN] [--seconds S] [--reps N]}; needs root.
 */
public final class NetBench {
    private static final byte[] GUEST_IP = {10, 78, 0, 2};
    private static final byte[] HOST_IP = {10, 78, 0, 1};

    record Result(String vmm, String direction, int frameSize, int pairs, double pps) {
    }

    public static void main(String[] args) throws Exception {
        String jvmm = null;
        String qemu = VmLauncher.QEMU_BINARY.toString();
        double seconds = 2;
        int reps = 3;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--jvmm" -> jvmm = args[++i];
                case "--qemu" -> qemu = args[++i];
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; usage: NetBench [--jvmm BIN] [--qemu BIN] [--seconds S] [--reps N]");
            }
        }
        String why = NetNamespace.unavailableReason();
        if (why != null) {
            System.err.println("NetBench: " + why);
            System.exit(2);
        }
        List<Result> results = new ArrayList<>();
        for (int pairs : new int[] {1, 4}) {
            for (int size : new int[] {64, 1514}) {
                for (String dir : new String[] {"guest->host", "host->guest"}) {
                    if (!qemu.equals("none")) {
                        results.add(measure("qemu", List.of(qemu), dir, size, pairs, seconds, reps));
                    }
                    if (jvmm != null) {
                        results.add(measure("jvmm", List.of(jvmm), dir, size, pairs, seconds, reps));
                    }
                }
            }
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "%-12s %6s %6s %14s %14s %8s%n", "direction", "bytes", "pairs", "qemu pps", "jvmm pps", "ratio");
        for (int i = 0; i < results.size(); i++) {
            Result r = results.get(i);
            Result j = i + 1 < results.size() && results.get(i + 1).vmm().equals("jvmm") && r.vmm().equals("qemu")
                    ? results.get(++i) : null;
            if (r.vmm().equals("jvmm")) {
                System.out.printf(Locale.ROOT, "%-12s %6d %6d %14s %14.0f %8s%n", r.direction(), r.frameSize(), r.pairs(), "-", r.pps(), "-");
            } else {
                System.out.printf(Locale.ROOT, "%-12s %6d %6d %14.0f %14s %8s%n", r.direction(), r.frameSize(), r.pairs(), r.pps(),
                        j == null ? "-" : String.format(Locale.ROOT, "%.0f", j.pps()),
                        j == null ? "-" : String.format(Locale.ROOT, "%.2f", j.pps() / r.pps()));
            }
        }
    }

    static Result measure(String kind, List<String> cmd, String direction, int size, int pairs, double seconds, int reps)
            throws Exception {
        double[] pps = new double[reps];
        try (NetNamespace ns = NetNamespace.create("vnbench")) {
            ns.addTap("tap0", pairs > 1, "10.78.0.1/24"); // a single-queue open of a multi_queue tap fails
            VmLauncher l = kind.equals("qemu") ? VmLauncher.qemu() : VmLauncher.jvmm(cmd).haltFirmware(true).args("-accel", "qtest");
            try (QtestVm vm = l.wrapper(ns.execPrefix()).sharedMemory(true).memory("256M")
                    .args("-netdev", "tap,id=n1,ifname=tap0,queues=" + pairs + ",vnet_hdr=on,script=no,downscript=no",
                            "-device", "virtio-net-pci,netdev=n1,mq=" + (pairs > 1 ? "on" : "off") + ",romfile=,addr=3")
                    .start()) {
                PciFunctionInfo nic = VirtioNetScenario.findNic(vm);
                VirtioNetDriver net = VirtioNetScenario.bringUp(vm, nic, pairs);
                byte[] tapMac = HexFormat.ofDelimiter(":").parseHex(ns.exec("cat", "/sys/class/net/tap0/address").trim());
                ns.addNeighbour("10.78.0.2", HexFormat.ofDelimiter(":").formatHex(net.mac()), "tap0");
                // one discarded run first: the JIT of a fresh jvmm (and of this driver) warms up
                for (int r = -1; r < reps; r++) {
                    double v = direction.equals("guest->host")
                            ? guestToHost(ns, net, tapMac, size, seconds)
                            : hostToGuest(ns, net, size, pairs, seconds);
                    if (r >= 0) {
                        pps[r] = v;
                    }
                }
            }
        }
        Arrays.sort(pps);
        double median = pps[reps / 2];
        System.out.printf(Locale.ROOT, "%s %s %d bytes %d pair(s): %s -> median %.0f pps%n", kind, direction, size, pairs,
                Arrays.toString(Arrays.stream(pps).mapToLong(Math::round).toArray()), median);
        return new Result(kind, direction, size, pairs, median);
    }

    private static long tapCounter(NetNamespace ns, String name) {
        return Long.parseLong(ns.exec("cat", "/sys/class/net/tap0/statistics/" + name).trim());
    }

    /** Fills every transmit ring, kicks, repeats for {@code seconds}; the tap's rx_packets counts arrivals. */
    static double guestToHost(NetNamespace ns, VirtioNetDriver net, byte[] tapMac, int size, double seconds) {
        byte[][] frames = new byte[net.pairs()][];
        for (int p = 0; p < net.pairs(); p++) {
            byte[] payload = new byte[size - 42];
            frames[p] = EthernetFrames.udp(tapMac, net.mac(), GUEST_IP, HOST_IP, 6000 + p, 9, payload);
        }
        long before = tapCounter(ns, "rx_packets");
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        while (System.nanoTime() < end) {
            int queuedAll = 0;
            for (int p = 0; p < net.pairs(); p++) {
                int queued = 0;
                while (net.queueFrame(p, frames[p])) {
                    queued++;
                }
                if (queued > 0) {
                    net.flush(p);
                }
                queuedAll += queued;
            }
            if (queuedAll == 0) {
                // rings full: let the VMM's threads have the CPU rather than spin on the used rings
                java.util.concurrent.locks.LockSupport.parkNanos(20_000);
            }
        }
        // whatever is still in the rings is not counted: stop the clock when the rings were last kicked
        double elapsed = (System.nanoTime() - start) / 1e9;
        long after = tapCounter(ns, "rx_packets");
        return (after - before) / elapsed;
    }

    /** One UDP flow per queue from the namespace as fast as one sender can; the driver counts arrivals. */
    static double hostToGuest(NetNamespace ns, VirtioNetDriver net, int size, int pairs, double seconds) throws Exception {
        List<DatagramChannel> flows = new ArrayList<>();
        for (int i = 0; i < Math.max(4, pairs * 4); i++) {
            DatagramChannel ch = ns.openDatagramChannel();
            ch.connect(new InetSocketAddress("10.78.0.2", 7000 + i));
            ch.configureBlocking(false);
            flows.add(ch);
        }
        ByteBuffer payload = ByteBuffer.allocateDirect(size - 42);
        long[] received = new long[1];
        volatileStop = false;
        Thread sender = Thread.ofPlatform().start(() -> {
            int i = 0;
            while (!volatileStop) {
                try {
                    payload.clear();
                    flows.get(i++ % flows.size()).write(payload);
                } catch (Exception e) {
                    // ENOBUFS and the like: the tap queue is full; keep going
                }
            }
        });
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        // The driver stands in for a guest vCPU: on these 2-core machines a driver that spins
        // while its rings are empty takes the CPU from the VMM's I/O threads, so it backs off.
        int idle = 0;
        while (System.nanoTime() < end) {
            int got = 0;
            for (int p = 0; p < net.pairs(); p++) {
                got += net.receive(p).size();
            }
            received[0] += got;
            if (got > 0) {
                idle = 0;
            } else if (++idle > 16) {
                java.util.concurrent.locks.LockSupport.parkNanos(20_000);
            }
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        volatileStop = true;
        sender.join();
        for (DatagramChannel ch : flows) {
            ch.close();
        }
        for (int p = 0; p < net.pairs(); p++) {
            net.receive(p);
        }
        return received[0] / elapsed;
    }

    private static volatile boolean volatileStop;
}
