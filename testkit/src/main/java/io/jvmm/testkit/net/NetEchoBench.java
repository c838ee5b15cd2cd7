package io.jvmm.testkit.net;

import io.jvmm.testkit.QtestVm;
import io.jvmm.testkit.VmLauncher;
import io.jvmm.testkit.host.NetNamespace;
import io.jvmm.testkit.host.UdpEchoStream;
import io.jvmm.testkit.pci.PciFunctionInfo;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * The demo's steady state without the migrations: the seed's NIC (virtio-net-pci behind a
 * pcie-pci-bridge, one queue pair per tap queue) answering a paced UDP stream through
 * {@link NetResponder}. After a warm-up it prints, per second, echoed/sent; then loss in the
 * window, the tap's drop counter (the kernel's per-queue backlog overflowing: the VMM did not read
 * fast enough) and CPU per echoed packet of the VMM process and of this process (driver, responder
 * and the stream's sender and receiver). CPU per packet is the figure that moves least with the
 * machine's load, so it is the one to compare changes with.
 *
 * <p>Usage: {@code NetEchoBench [--jvmm BIN] [--qemu BIN] [--rate PPS] [--queues N] [--flows N]
 * [--seconds S] [--warmup S]}; needs root. Without {@code --qemu} it runs jvmm.
 */
public final class NetEchoBench {
    private static final String GUEST_IP = "10.79.0.2";
    private static final int ECHO_PORT = 7;
    /** USER_HZ: the unit of utime and stime in /proc/PID/stat on Linux. */
    private static final long CLOCK_TICK_MS = 10;

    private NetEchoBench() {
    }

    public static void main(String[] args) throws Exception {
        List<String> vmm = null;
        boolean qemu = false;
        int rate = 20_000;
        int queues = 4;
        int flows = 8;
        int seconds = 10;
        int warmup = 5;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--jvmm" -> vmm = List.of(args[++i]);
                case "--qemu" -> {
                    qemu = true;
                    vmm = List.of(args[++i]);
                }
                case "--rate" -> rate = Integer.parseInt(args[++i]);
                case "--queues" -> queues = Integer.parseInt(args[++i]);
                case "--flows" -> flows = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i] + "; usage: NetEchoBench"
                        + " [--jvmm BIN | --qemu BIN] [--rate PPS] [--queues N] [--flows N] [--seconds S] [--warmup S]");
            }
        }
        if (vmm == null) {
            throw new IllegalArgumentException("--jvmm BIN or --qemu BIN is required");
        }
        String why = NetNamespace.unavailableReason();
        if (why != null) {
            throw new IllegalStateException("NetEchoBench: " + why);
        }
        try (NetNamespace ns = NetNamespace.create("vnecho")) {
            ns.addTap("tap0", queues > 1, "10.79.0.1/24");
            VmLauncher l = qemu ? VmLauncher.qemu() : VmLauncher.jvmm(vmm).haltFirmware(true).args("-accel", "qtest");
            try (QtestVm vm = l.wrapper(ns.execPrefix()).machine("q35").sharedMemory(true).memory("256M")
                    .args("-device", "pcie-pci-bridge,id=pci.1,bus=pcie.0",
                            "-netdev", "tap,id=n1,ifname=tap0,queues=" + queues + ",vnet_hdr=on,script=no,downscript=no",
                            "-device", "virtio-net-pci,netdev=n1,bus=pci.1,mq=" + (queues > 1 ? "on" : "off")
                                    + ",vectors=" + (2 * queues + 2) + ",romfile=,disable-legacy=off")
                    .start()) {
                PciFunctionInfo nic = VirtioNetScenario.findNic(vm);
                VirtioNetDriver net = VirtioNetScenario.bringUp(vm, nic, queues);
                ns.addNeighbour(GUEST_IP, HexFormat.ofDelimiter(":").formatHex(net.mac()), "tap0");
                byte[] ip = java.net.InetAddress.getByName(GUEST_IP).getAddress();
                try (NetResponder responder = new NetResponder(net, ip, ECHO_PORT).start();
                        UdpEchoStream stream = new UdpEchoStream(ns, new InetSocketAddress(GUEST_IP, ECHO_PORT), flows,
                                rate, 64)) {
                    stream.start();
                    Thread.sleep(warmup * 1000L);
                    run(ns, vm.process().pid(), stream, rate, queues, flows, seconds);
                }
            }
        }
    }

    private static void run(NetNamespace ns, long vmmPid, UdpEchoStream stream, int rate, int queues, int flows,
            int seconds) throws Exception {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long dropped0 = tapTxDropped(ns);
        long vmmCpu0 = cpuMillis(vmmPid);
        long selfCpu0 = os.getProcessCpuTime();
        long sent0 = stream.sent();
        long echoed0 = stream.echoed();
        long sentPrev = sent0;
        long echoedPrev = echoed0;
        StringBuilder perSecond = new StringBuilder();
        for (int s = 0; s < seconds; s++) {
            Thread.sleep(1000);
            long sent = stream.sent();
            long echoed = stream.echoed();
            perSecond.append(' ').append(echoed - echoedPrev).append('/').append(sent - sentPrev);
            sentPrev = sent;
            echoedPrev = echoed;
        }
        long sent = stream.sent() - sent0;
        long echoed = stream.echoed() - echoed0;
        long vmmCpu = cpuMillis(vmmPid) - vmmCpu0;
        long selfCpu = (os.getProcessCpuTime() - selfCpu0) / 1_000_000;
        long dropped = tapTxDropped(ns) - dropped0;
        System.out.printf(Locale.ROOT, "%d packets/s, %d flows, %d queues, %d s: sent %d, echoed %d (%.2f%%),"
                + " tap drops %d%n", rate, flows, queues, seconds, sent, echoed, 100.0 * echoed / Math.max(1, sent), dropped);
        System.out.println("per second echoed/sent:" + perSecond);
        System.out.printf(Locale.ROOT, "CPU per echoed packet: VMM %.1f us, guest + traffic %.1f us (load average %s)%n",
                1000.0 * vmmCpu / Math.max(1, echoed), 1000.0 * selfCpu / Math.max(1, echoed),
                Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    }

    /** What the kernel dropped on the way to the VMM (tap0's tx_dropped seen from the host). */
    private static long tapTxDropped(NetNamespace ns) {
        return Long.parseLong(ns.exec("cat", "/sys/class/net/tap0/statistics/tx_dropped").trim());
    }

    /** User + system CPU of a process, from /proc/PID/stat (fields 14 and 15). */
    private static long cpuMillis(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * CLOCK_TICK_MS;
    }
}
