package io.jvmm.plugin.virtio.net;

import io.jvmm.plugin.virtio.warmup.ScratchGuestMemory;
import io.jvmm.plugin.virtio.warmup.LoopbackNetBackend;
import io.jvmm.plugin.virtio.warmup.DetachedPciFunction;
import io.jvmm.plugin.virtio.warmup.MiniDriver;
import io.jvmm.plugin.virtio.transport.VirtioFeature;
import io.jvmm.plugin.virtio.transport.VirtioPciTransport;
import io.jvmm.spi.net.Offloads;
import java.util.OptionalInt;

/** A virtio-net-pci function on fakes: guest RAM, a PCI function, a backend and a test driver. */
final class NicFixture implements AutoCloseable {
    static final byte[] MAC = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
    static final Offloads ALL = new Offloads(true, true, true, true, true);

    final ScratchGuestMemory mem = new ScratchGuestMemory(4 << 20);
    final LoopbackNetBackend backend;
    final VirtioNetDevice device;
    final VirtioPciTransport transport;
    final DetachedPciFunction function;
    final MiniDriver driver;

    NicFixture(int queues, boolean mq, boolean vnetHeader, boolean legacy) {
        this(queues, mq, vnetHeader, legacy, OptionalInt.empty(), false);
    }

    NicFixture(int queues, boolean mq, boolean vnetHeader, boolean legacy, OptionalInt mtu, boolean localMigration) {
        backend = new LoopbackNetBackend(queues, vnetHeader, ALL);
        VirtioNetConfig config = new VirtioNetConfig(MAC.clone(), mq, OptionalInt.empty(), legacy ? "off" : "on", -1,
                "pcie.0", "net0", localMigration, mtu);
        device = new VirtioNetDevice("vnet0", config, backend);
        int pairs = mq ? queues : 1;
        transport = new VirtioPciTransport("vnet0", device, mem, legacy, 2 * pairs + 2, 0x020000);
        device.attach(transport);
        function = new DetachedPciFunction(mem, transport);
        transport.realized(function);
        driver = new MiniDriver(mem, transport);
    }

    /** The usual modern driver: VERSION_1, MRG_RXBUF off unless asked, event idx off. */
    static long features(int... bits) {
        long f = VirtioFeature.bit(VirtioFeature.VERSION_1);
        for (int b : bits) {
            f |= 1L << b;
        }
        return f;
    }

    @Override
    public void close() {
        mem.close();
    }
}
