package io.jvmm.plugin.virtio.net;

import static io.jvmm.plugin.virtio.transport.VirtioPciLayout.*;
import static org.junit.jupiter.api.Assertions.*;

import io.jvmm.spi.pci.MsixSpec;
import io.jvmm.spi.pci.PciBarSpec;
import io.jvmm.spi.pci.PciCapabilitySpec;
import io.jvmm.spi.pci.PciIdentity;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * The guest-visible layout against what QEMU 7.2 showed for the same command line (config space
 * dumped over qtest; see docs/virtio-net.md). The expected bytes below are copied from those dumps.
 */
class VirtioNetLayoutTest {

    @Test
    void transitionalIdentityBarsAndCapabilitiesMatchQemu() {
        try (NicFixture f = new NicFixture(4, true, true, true)) {
            PciIdentity id = f.transport.identity();
            assertEquals(0x1af4, id.vendorId());
            assertEquals(0x1000, id.deviceId());
            assertEquals(0x1af4, id.subsystemVendorId());
            assertEquals(0x0001, id.subsystemId());
            assertEquals(0, id.revision());
            assertEquals(0x020000, id.classCode());
            assertEquals(1, id.interruptPin());

            List<PciBarSpec> bars = f.transport.bars();
            assertBar(bars, 0, PciBarSpec.Kind.IO, 0x40, false);
            assertBar(bars, 1, PciBarSpec.Kind.MEMORY32, 0x1000, false);
            assertBar(bars, 4, PciBarSpec.Kind.MEMORY64, 0x4000, true);
            assertEquals(3, bars.size());

            MsixSpec msix = f.transport.msix().orElseThrow();
            assertEquals(10, msix.vectors()); // 2 * 4 + 2
            assertEquals(new MsixSpec(10, 1, 0, 1, 0x800, 0x98), msix);

            // QEMU 7.2, -device virtio-net-pci,...,mq=on,vectors=18: bytes 0x40..0x97 of config space
            String qemu = "09001001040000000000000000100000" + "09401003040000000010000000100000"
                    + "09501004040000000020000000100000" + "0960140204000000003000000010000004000000"
                    + "0970140500000000000000000000000000000000";
            assertEquals(qemu, HexFormat.of().formatHex(capabilityBytes(f.transport.capabilities())));
        }
    }

    @Test
    void modernOnlyUsesDeviceId1041AndNoIoBar() {
        try (NicFixture f = new NicFixture(1, false, true, false)) {
            PciIdentity id = f.transport.identity();
            assertEquals(0x1041, id.deviceId());
            assertEquals(0x1100, id.subsystemId());
            assertEquals(1, id.revision());
            assertTrue(f.transport.bars().stream().noneMatch(b -> b.index() == 0));
        }
    }

    @Test
    void legacyBarSizeFollowsConfigSize() {
        // QEMU 7.2: mq=on -> 24 + 10 -> 64 bytes; mq=off -> 24 + 8 -> 32; host_mtu, vectors=0 -> 20 + 12 -> 32
        assertEquals(0x40, legacyBarSize(true, 10));
        assertEquals(0x20, legacyBarSize(true, 8));
        assertEquals(0x20, legacyBarSize(false, 12));
        assertArrayEquals(new long[] {0x1000, 0x800}, msixBarLayout(18));
        assertArrayEquals(new long[] {0x2000, 0x1000}, msixBarLayout(256));
    }

    /** Lays the capabilities out as config space would: id, next (list order), body. */
    static byte[] capabilityBytes(List<PciCapabilitySpec> caps) {
        byte[] cfg = new byte[256];
        for (int i = 0; i < caps.size(); i++) {
            PciCapabilitySpec c = caps.get(i);
            cfg[c.offset()] = (byte) c.id();
            cfg[c.offset() + 1] = (byte) (i + 1 < caps.size() ? caps.get(i + 1).offset() : 0);
            System.arraycopy(c.body(), 0, cfg, c.offset() + 2, c.body().length);
        }
        return java.util.Arrays.copyOfRange(cfg, 0x40, 0x98);
    }

    private static void assertBar(List<PciBarSpec> bars, int index, PciBarSpec.Kind kind, long size, boolean prefetch) {
        PciBarSpec b = bars.stream().filter(x -> x.index() == index).findFirst().orElseThrow();
        assertEquals(kind, b.kind(), "BAR" + index);
        assertEquals(size, b.size(), "BAR" + index);
        assertEquals(prefetch, b.prefetchable(), "BAR" + index);
    }

    @Test
    void offeredFeaturesMatchQemuWithTapAndWithoutVnetHeader() {
        // QEMU 7.2 with -netdev tap,queues=4,vnet_hdr=on and mq=on: 0x0000010130ffffa7
        try (NicFixture f = new NicFixture(4, true, true, true)) {
            assertEquals(0x0000010130ffffa7L, f.driver.deviceFeatures());
        }
        // QEMU 7.2 with -netdev hubport (no vnet header), mq off: 0x0000010130bf8024
        try (NicFixture f = new NicFixture(1, false, false, true)) {
            assertEquals(0x0000010130bf8024L, f.driver.deviceFeatures());
        }
    }

    @Test
    void legacyHostFeaturesMatchQemu() {
        try (NicFixture f = new NicFixture(4, true, true, true)) {
            PciBarSpec io = f.transport.bars().stream().filter(b -> b.index() == 0).findFirst().orElseThrow();
            assertEquals(0x79ffffe7L, io.handler().read(LEGACY_HOST_FEATURES, 4));
            // device config follows the registers at 24 while MSI-X is enabled: the MAC
            assertEquals(0x52, io.handler().read(24, 1));
            f.function.msixEnabled = false;
            assertEquals(0x52, io.handler().read(20, 1));
            // QEMU 7.2 answers byte reads inside a register (and of the write-only notify) with 0xff
            assertEquals(0xff, io.handler().read(LEGACY_QUEUE_NUM + 1, 1));
            assertEquals(0xff, io.handler().read(LEGACY_QUEUE_NOTIFY, 1));
            assertEquals(0xffff, io.handler().read(LEGACY_QUEUE_NOTIFY, 2));
        }
    }

    @Test
    void configSpaceHasMacStatusPairsAndMtu() {
        try (NicFixture f = new NicFixture(4, true, true, true)) {
            assertEquals(0x563412005452L, f.driver.read(DEVICE_OFFSET, 4) | f.driver.read(DEVICE_OFFSET + 4, 2) << 32);
            assertEquals(1, f.driver.read(DEVICE_OFFSET + 6, 2), "status: link up");
            assertEquals(4, f.driver.read(DEVICE_OFFSET + 8, 2), "max_virtqueue_pairs");
            assertEquals(0xffff, f.driver.read(DEVICE_OFFSET + 10, 2), "beyond the config space reads all-ones");
        }
        try (NicFixture f = new NicFixture(1, false, true, true, OptionalInt.of(9000), false)) {
            assertEquals(1, f.driver.read(DEVICE_OFFSET + 8, 2));
            assertEquals(9000, f.driver.read(DEVICE_OFFSET + 10, 2));
        }
    }

    @Test
    void numQueuesGrowsWhenMqIsNegotiatedAsInQemu() {
        try (NicFixture f = new NicFixture(4, true, true, true)) {
            assertEquals(3, f.driver.read(COMMON_NUMQ, 2));
            f.driver.write(COMMON_Q_SELECT, 2, 2);
            assertEquals(64, f.driver.read(COMMON_Q_SIZE, 2), "control queue at 2 before MQ");
            assertEquals(0xb, f.driver.negotiate(NicFixture.features(VirtioNetFeature.MQ, VirtioNetFeature.CTRL_VQ)));
            assertEquals(9, f.driver.read(COMMON_NUMQ, 2));
            f.driver.write(COMMON_Q_SELECT, 2, 2);
            assertEquals(256, f.driver.read(COMMON_Q_SIZE, 2));
            f.driver.write(COMMON_Q_SELECT, 2, 8);
            assertEquals(64, f.driver.read(COMMON_Q_SIZE, 2));
            assertEquals(8, f.driver.read(COMMON_Q_NOFF, 2));
        }
    }

    @Test
    void featuresNotOfferedOrWithoutVersion1AreRefused() {
        try (NicFixture f = new NicFixture(1, false, false, true)) {
            int status = f.driver.negotiate(NicFixture.features(VirtioNetFeature.GUEST_TSO4));
            assertEquals(0, status & 8, "FEATURES_OK must not stick for a feature that was not offered");
            status = f.driver.negotiate(1L << VirtioNetFeature.MAC);
            assertEquals(0, status & 8, "modern interface without VERSION_1");
        }
    }

    @Test
    void msixVectorOutOfRangeReadsBackNoVector() {
        try (NicFixture f = new NicFixture(1, false, true, true)) {
            f.driver.write(COMMON_MSIX, 2, 3);
            assertEquals(3, f.driver.read(COMMON_MSIX, 2));
            f.driver.write(COMMON_MSIX, 2, 4); // 4 vectors: 0..3
            assertEquals(0xffff, f.driver.read(COMMON_MSIX, 2));
        }
    }

    @Test
    void pciCfgCapabilityReachesTheCommonConfig() {
        try (NicFixture f = new NicFixture(4, true, true, true)) {
            f.function.configSet(PCI_CFG_BAR, 1, 4);
            f.function.configSet(PCI_CFG_OFFSET, 4, COMMON_NUMQ);
            f.function.configSet(PCI_CFG_LENGTH, 4, 2);
            assertEquals(3, f.transport.configRead(PCI_CFG_DATA, 4).orElseThrow());
            f.function.configSet(PCI_CFG_OFFSET, 4, COMMON_Q_SELECT);
            f.function.configSet(PCI_CFG_DATA, 4, 2); // the emulation stores the write, then tells the device
            f.transport.configWritten(PCI_CFG_DATA, 4, 2);
            assertEquals(2, f.driver.read(COMMON_Q_SELECT, 2));
            // an invalid window (length 3) leaves pci_cfg_data to config space, as QEMU does
            f.function.configSet(PCI_CFG_LENGTH, 4, 3);
            assertTrue(f.transport.configRead(PCI_CFG_DATA, 4).isEmpty());
        }
    }
}
