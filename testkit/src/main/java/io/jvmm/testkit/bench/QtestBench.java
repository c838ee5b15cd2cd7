package io.jvmm.testkit.bench;

import io.jvmm.testkit.QtestClient;
import io.jvmm.testkit.QtestVm;
import io.jvmm.testkit.VmLauncher;
import io.jvmm.testkit.pci.PciAddress;
import io.jvmm.testkit.pci.PciBarAssigner;
import io.jvmm.testkit.pci.PciEnumerator;
import io.jvmm.testkit.pci.PciFunctionInfo;
import io.jvmm.testkit.pci.PortPciConfig;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * qtest request round trips per second, QEMU 7.2 and jvmm side by side, on the same machine line
 * (q35, -nodefaults, a pcie-pci-bridge). One request in flight at a time, as a driver issues them;
 * each kind runs for a fixed time after a warm-up, repeated, and the median is reported.
 *
 * <pre>java -cp testkit/target/classes:... io.jvmm.testkit.bench.QtestBench --jvmm PATH/bin/jvmm [--seconds S] [--reps N] [--qemu BIN|none]</pre>
 */
public final class QtestBench {
    private QtestBench() {
    }

    /** One kind of request: a name and a loop body returning how many round trips it made. */
    private record Kind(String name, ToLongFunction<Target> body) {
    }

    /** The VMM under test and what the body needs of it. */
    private record Target(QtestClient qtest, long mmio) {
    }

    public static void main(String[] args) throws Exception {
        String jvmm = null;
        String qemu = VmLauncher.QEMU_BINARY.toString();
        double seconds = 1.0;
        int reps = 5;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--jvmm" -> jvmm = args[++i];
                case "--qemu" -> qemu = args[++i];
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("usage: QtestBench --jvmm PATH [--qemu BIN|none] [--seconds S] [--reps N]");
                    System.exit(2);
                }
            }
        }
        if (jvmm == null) {
            System.err.println("--jvmm PATH (the distribution's bin/jvmm) is required");
            System.exit(2);
        }
        List<Kind> kinds = List.of(
                new Kind("readl RAM", t -> {
                    t.qtest().readl(0x10_0000);
                    return 1;
                }),
                new Kind("writel RAM", t -> {
                    t.qtest().writel(0x10_0000, 0x12345678);
                    return 1;
                }),
                new Kind("inb fw_cfg 0x511", t -> {
                    t.qtest().inb(0x511);
                    return 1;
                }),
                new Kind("readl MMIO (bridge BAR)", t -> {
                    t.qtest().readl(t.mmio() + 0x0c);
                    return 1;
                }),
                new Kind("PCI config read (cf8+cfc)", t -> {
                    t.qtest().outl(0xcf8, 0x8000_0800);
                    t.qtest().inl(0xcfc);
                    return 2;
                }),
                new Kind("b64read 4 KiB", t -> {
                    t.qtest().b64read(0x10_0000, 4096);
                    return 1;
                }));

        Map<String, double[]> results = new LinkedHashMap<>();
        String[] vmms = qemu.equals("none") ? new String[] {"jvmm"} : new String[] {"qemu", "jvmm"};
        for (String vmm : vmms) {
            VmLauncher launcher = vmm.equals("qemu") ? VmLauncher.qemu() : VmLauncher.jvmm(List.of(jvmm)).haltFirmware(true);
            // no request log on either side: both would format and write every line
            launcher.qtestLog(false).args("-device", "pcie-pci-bridge,id=pci.1,bus=pcie.0");
            try (QtestVm vm = launcher.start()) {
                PortPciConfig cfg = new PortPciConfig(vm.qtest());
                List<PciFunctionInfo> fns = PciBarAssigner.assign(cfg, PciEnumerator.enumerate(cfg));
                long mmio = fns.stream().filter(f -> f.address().equals(new PciAddress(0, 1, 0))).findFirst()
                        .orElseThrow().bar(0).orElseThrow().address();
                Target t = new Target(vm.qtest(), mmio);
                for (Kind k : kinds) {
                    run(t, k, 0.5); // warm-up of every path first (JIT on both ends)
                }
                for (Kind k : kinds) {
                    double[] rates = new double[reps];
                    for (int r = 0; r < reps; r++) {
                        rates[r] = run(t, k, seconds);
                    }
                    results.put(vmm + "|" + k.name(), rates);
                }
            }
        }
        System.out.printf("qtest round trips per second (median of %d runs of %.1f s; one request in flight)%n", reps, seconds);
        System.out.printf("%-28s %14s %14s %8s%n", "request", "QEMU 7.2", "jvmm", "jvmm/QEMU");
        for (Kind k : kinds) {
            double j = median(results.get("jvmm|" + k.name()));
            double[] qr = results.get("qemu|" + k.name());
            double q = qr == null ? Double.NaN : median(qr);
            System.out.printf("%-28s %14s %14s %8s%n", k.name(), qr == null ? "-" : String.format("%,.0f", q),
                    String.format("%,.0f", j), qr == null ? "-" : String.format("%.2f", j / q));
        }
    }

    private static double run(Target t, Kind k, double seconds) {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        long start = System.nanoTime();
        long n = 0;
        long now;
        do {
            for (int i = 0; i < 64; i++) {
                n += k.body().applyAsLong(t);
            }
            now = System.nanoTime();
        } while (now < end);
        return n / ((now - start) / 1e9);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
