package io.jvmm.testkit.net;

import io.jvmm.testkit.QtestVm;
import io.jvmm.testkit.mem.GuestPageAllocator;
import io.jvmm.testkit.pci.PciBarAssigner;
import io.jvmm.testkit.pci.PciConfig;
import io.jvmm.testkit.pci.PciEnumerator;
import io.jvmm.testkit.pci.PciFunctionInfo;
import io.jvmm.testkit.pci.PortPciConfig;
import io.jvmm.testkit.virtio.VirtioPciDriver;
import java.util.HexFormat;
import java.util.List;

/**
 * The steps the virtio-net conformance tests run identically against QEMU 7.2 and jvmm: find and
 * program the NIC as firmware would, read what a guest sees, bring the driver up.
 */
public final class VirtioNetScenario {
    public static final int VENDOR = 0x1af4;

    private VirtioNetScenario() {
    }

    /** What a guest sees of the NIC before driving it: the facts compared between QEMU and jvmm. */
    public record NicView(String pci, String capabilityBytes, long features, String config, int numQueues,
            List<Integer> queueSizes, String legacyRegisters) {
    }

    /** Enumerates, assigns BARs (as firmware) and returns the first virtio-net function. */
    public static PciFunctionInfo findNic(QtestVm vm) {
        PciConfig cfg = new PortPciConfig(vm.qtest());
        List<PciFunctionInfo> fns = PciBarAssigner.assign(cfg, PciEnumerator.enumerate(cfg));
        return fns.stream()
                .filter(f -> f.vendorId() == VENDOR && (f.deviceId() == 0x1000 || f.deviceId() == 0x1041))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no virtio-net function found; functions: "
                        + fns.stream().map(PciFunctionInfo::summary).toList()));
    }

    public static VirtioPciDriver driver(QtestVm vm, PciFunctionInfo nic) {
        return new VirtioPciDriver(vm.qtest(), new PortPciConfig(vm.qtest()), nic);
    }

    /** Reads the NIC's identity, BARs, capabilities, offered features, config space and queues. */
    public static NicView view(QtestVm vm, PciFunctionInfo nic) {
        VirtioPciDriver d = driver(vm, nic);
        d.reset();
        long features = d.deviceFeatures();
        byte[] cfg = new byte[12];
        for (int i = 0; i < cfg.length; i++) {
            cfg[i] = (byte) d.readDeviceConfig8(i);
        }
        int n = d.numQueues();
        List<Integer> sizes = new java.util.ArrayList<>();
        for (int q = 0; q < n; q++) {
            sizes.add(d.queueMaxSize(q));
        }
        String pci = nic.summary().replaceAll(" @0x[0-9a-f]+", ""); // BAR addresses assigned may differ
        // every capability's bytes (the MSI-X one and the virtio vendor ones with their BAR/offset/length)
        PortPciConfig pc = new PortPciConfig(vm.qtest());
        StringBuilder caps = new StringBuilder();
        for (var cap : nic.capabilities()) {
            int len = cap.id() == 0x09 ? pc.readU8(nic.address(), cap.offset() + 2) : 12;
            caps.append(String.format("%02x:", cap.offset()));
            for (int i = 0; i < len; i++) {
                caps.append(String.format("%02x", pc.readU8(nic.address(), cap.offset() + i)));
            }
            caps.append(' ');
        }
        // transitional devices: the legacy I/O BAR's host features and registers (MSI-X off: config at 20)
        String legacy = nic.bar(0).filter(b -> b.type() == io.jvmm.testkit.pci.PciBarInfo.Type.IO).map(b -> {
            StringBuilder sb = new StringBuilder(String.format("features %08x regs", vm.qtest().inl((int) b.address())));
            for (int off = 12; off < 30; off++) {
                if (off == 19) {
                    continue; // reading the ISR clears it
                }
                sb.append(String.format(" %02x", vm.qtest().inb((int) b.address() + off)));
            }
            return sb.toString();
        }).orElse("none");
        return new NicView(pci, caps.toString().trim(), features, HexFormat.of().formatHex(cfg), n, sizes, legacy);
    }

    /** Brings the NIC up with {@code pairs} queue pairs on guest RAM above the low 16 MiB. */
    public static VirtioNetDriver bringUp(QtestVm vm, PciFunctionInfo nic, int pairs) {
        VirtioNetDriver net = new VirtioNetDriver(driver(vm, nic), vm.ram(), GuestPageAllocator.forQ35(vm.ramSize()));
        net.start(pairs);
        return net;
    }
}
