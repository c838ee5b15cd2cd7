package io.jvmm.plugin.virtio.net;

import io.jvmm.plugin.virtio.transport.VirtioPciTransport;
import io.jvmm.spi.config.ConfigException;
import io.jvmm.spi.config.Properties;
import io.jvmm.spi.config.PropertySpec;
import io.jvmm.spi.device.Device;
import io.jvmm.spi.device.DeviceContext;
import io.jvmm.spi.device.DeviceFactory;
import io.jvmm.spi.net.NetBackend;
import io.jvmm.spi.pci.PciBus;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** {@code -device virtio-net-pci}: a virtio network function on a PCI bus, wired to a netdev. */
public final class VirtioNetPciFactory implements DeviceFactory {

    /** PCI class: network controller, Ethernet. */
    static final int PCI_CLASS_NETWORK_ETHERNET = 0x020000;

    /** Counts NICs for default MACs (52:54:00:12:34:56, :57, ...), as QEMU does per process. */
    private final AtomicInteger nics = new AtomicInteger();

    @Override
    public String name() {
        return "virtio-net-pci";
    }

    /** Once per process: the warm-up compiles code, which every NIC shares. */
    private static final java.util.concurrent.atomic.AtomicBoolean WARMED = new java.util.concurrent.atomic.AtomicBoolean();
    /** Enough for C1 everywhere and C2 on the hottest methods (HotSpot's tier-4 threshold is 5,000 calls). */
    static final int WARMUP_FRAMES = 12_000;

    @Override
    public String description() {
        return "virtio network device on PCI (modern and transitional), multi-queue, with control queue and offloads";
    }

    @Override
    public List<PropertySpec> properties() {
        return List.of(
                PropertySpec.string("mac", null, "station address, like 52:54:00:12:34:56 (default: QEMU's, counting up)"),
                PropertySpec.bool("mq", false, "offer multiple queue pairs, one per netdev queue"),
                PropertySpec.integer("vectors", null, "MSI-X vectors (default 2 * queues + 2; 0 disables MSI-X)"),
                PropertySpec.string("romfile", "", "option ROM file; only empty (no ROM) is supported"),
                PropertySpec.oneOf("disable-legacy", "auto", "on: modern only (id 0x1041); off/auto: transitional (0x1000)",
                        "on", "off", "auto"),
                PropertySpec.string("addr", null, "slot[.function] on the bus, hex"),
                PropertySpec.string("bus", null, "bus id (default pcie.0)"),
                PropertySpec.string("netdev", null, "id of the network backend").asRequired(),
                PropertySpec.bool("local-migration", false,
                        "allow local migration to hand the backend's descriptors to the target (seed v16)"),
                PropertySpec.integer("host_mtu", null, "offer VIRTIO_NET_F_MTU with this MTU (68..65535)"));
    }

    @Override
    public Device create(DeviceContext context, Properties properties) {
        VirtioNetConfig config = VirtioNetConfig.from(properties, nics.getAndIncrement());
        NetBackend backend = context.netBackend(config.netdev()).orElseThrow(() -> new ConfigException(
                "netdev: no netdev with id '" + config.netdev() + "'; define it with -netdev TYPE,id=" + config.netdev()));
        if (config.mq() && backend.queues().size() == 1) {
            // QEMU accepts this too and offers one pair; say so rather than silently ignoring mq.
            org.slf4j.LoggerFactory.getLogger(VirtioNetPciFactory.class)
                    .info("{}: mq=on but netdev '{}' has one queue: one queue pair", context.id(), backend.id());
        }
        PciBus bus = context.pciBus(config.bus()).orElseThrow(() -> new ConfigException(
                "bus: no PCI bus with id '" + config.bus() + "'"));
        VirtioNetDevice device = new VirtioNetDevice(context.id(), config, backend);
        int pairs = config.mq() ? backend.queues().size() : 1;
        int vectors = config.vectors().orElse(2 * pairs + 2);
        VirtioPciTransport transport = new VirtioPciTransport(context.id(), device, context.memory(),
                config.legacyInterface(), vectors, PCI_CLASS_NETWORK_ETHERNET);
        device.attach(transport);
        bus.plug(transport, config.devfn());
        context.registerState(context.id(), device);
        context.registerPausable(device);
        if (config.localMigration() && WARMED.compareAndSet(false, true)) {
            // A NIC set up for local migration may be the target of one: it must move frames at full
            // rate from its first millisecond, so its data path is compiled before it carries any.
            DataPathWarmup.startInBackground(WARMUP_FRAMES);
        }
        return device;
    }
}
