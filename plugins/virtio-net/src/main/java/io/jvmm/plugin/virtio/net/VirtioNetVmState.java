package io.jvmm.plugin.virtio.net;

import io.jvmm.plugin.virtio.queue.SplitVirtqueue;
import io.jvmm.plugin.virtio.queue.VirtqueueState;
import io.jvmm.plugin.virtio.transport.VirtioPciState;
import io.jvmm.spi.vmstate.StateReader;
import io.jvmm.spi.vmstate.StateWriter;
import io.jvmm.spi.vmstate.VmStateDescription;
import io.jvmm.spi.vmstate.VmStateException;
import io.jvmm.spi.vmstate.VmStateSubsection;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The vmstate of a virtio-net-pci function: section {@code virtio-net} version 1 (transport,
 * queues, net device) with subsection {@code virtio-net/mac-table}, sent only when the driver
 * programmed a MAC table. Saving produces a {@link VirtioNetState}; loading builds one from the
 * stream, checking every field, and only then restores the device.
 */
final class VirtioNetVmState {
    static final String NAME = "virtio-net";
    static final int VERSION = 1;

    private VirtioNetVmState() {
    }

    static VmStateDescription description(VirtioNetDevice device) {
        // The subsection is loaded after the main fields, so the loader parks the state here.
        VirtioNetState[] loaded = new VirtioNetState[1];
        VmStateSubsection macTable = new VmStateSubsection(NAME + "/mac-table", 1,
                () -> {
                    RxFilter f = device.filter();
                    return !f.unicast().isEmpty() || !f.multicast().isEmpty() || f.unicastOverflow()
                            || f.multicastOverflow();
                },
                out -> saveMacTable(out, device.filter()),
                (in, version) -> {
                    if (loaded[0] == null) {
                        throw new VmStateException(NAME + "/mac-table arrived before " + NAME);
                    }
                    VirtioNetState s = loaded[0];
                    RxFilter f = loadMacTable(in, s.filter());
                    loaded[0] = new VirtioNetState(s.transport(), s.mac(), s.status(), s.queuePairs(), f,
                            s.localMigration(), s.announcePending(), s.guestOffloads());
                    device.restore(loaded[0]);
                });
        return new VmStateDescription(NAME, VERSION, 1,
                out -> save(out, device.state()),
                (in, version) -> {
                    loaded[0] = load(in, device.maxQueues());
                    device.restore(loaded[0]);
                },
                List.of(macTable));
    }

    static void save(StateWriter out, VirtioNetState s) {
        VirtioPciState t = s.transport();
        out.u8("status", t.status());
        out.u64("driver_features", t.driverFeatures());
        out.u64("features", t.negotiatedFeatures());
        out.u32("device_feature_select", t.deviceFeatureSelect() & 0xffffffffL);
        out.u32("driver_feature_select", t.driverFeatureSelect() & 0xffffffffL);
        out.u16("queue_select", t.queueSelect());
        out.u16("config_vector", t.configVector());
        out.u8("isr", t.isr());
        out.u8("config_generation", t.configGeneration());
        out.bool("legacy", t.legacyMode());
        out.u16("queue_count", t.queues().size());
        for (VirtqueueState q : t.queues()) {
            out.u16("queue.size", q.size());
            out.bool("queue.enabled", q.enabled());
            out.u64("queue.desc", q.descAddress());
            out.u64("queue.avail", q.availAddress());
            out.u64("queue.used", q.usedAddress());
            out.u16("queue.vector", q.vector());
            out.u16("queue.last_avail_idx", q.lastAvailIdx());
            out.u16("queue.used_idx", q.usedIdx());
        }
        out.bytes("mac", s.mac());
        out.u16("net_status", s.status());
        out.u16("queue_pairs", s.queuePairs());
        RxFilter f = s.filter();
        out.bool("promisc", f.promisc());
        out.bool("allmulti", f.allmulti());
        out.bool("alluni", f.alluni());
        out.bool("nomulti", f.nomulti());
        out.bool("nouni", f.nouni());
        out.bool("nobcast", f.nobcast());
        out.bytes("vlans", f.vlans());
        out.bool("local_migration", s.localMigration());
        out.bool("announce_pending", s.announcePending());
        out.u64("guest_offloads", s.guestOffloads());
    }

    static VirtioNetState load(StateReader in, int maxQueues) {
        int status = in.u8("status");
        long driverFeatures = in.u64("driver_features");
        long features = in.u64("features");
        int dfsel = (int) in.u32("device_feature_select");
        int gfsel = (int) in.u32("driver_feature_select");
        int qsel = in.u16("queue_select");
        int configVector = in.u16("config_vector");
        int isr = in.u8("isr");
        int gen = in.u8("config_generation");
        boolean legacy = in.bool("legacy");
        int count = in.u16("queue_count");
        if (count != maxQueues) {
            throw new VmStateException(NAME + ": queue_count " + count + " but this device has "
                    + maxQueues + " queues (different queue count on the netdev?)");
        }
        List<VirtqueueState> queues = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int size = in.u16("queue.size");
            if (size == 0 || size > SplitVirtqueue.MAX_SIZE) {
                throw new VmStateException(NAME + ": queue " + i + " size " + size + " is invalid");
            }
            queues.add(new VirtqueueState(size, in.bool("queue.enabled"), in.u64("queue.desc"), in.u64("queue.avail"),
                    in.u64("queue.used"), in.u16("queue.vector"), in.u16("queue.last_avail_idx"), in.u16("queue.used_idx")));
        }
        VirtioPciState transport = new VirtioPciState(status, driverFeatures, features, dfsel, gfsel, qsel, configVector,
                isr, gen, legacy, queues);
        byte[] mac = in.bytes("mac", 6);
        int netStatus = in.u16("net_status");
        int pairs = in.u16("queue_pairs");
        boolean promisc = in.bool("promisc");
        boolean allmulti = in.bool("allmulti");
        boolean alluni = in.bool("alluni");
        boolean nomulti = in.bool("nomulti");
        boolean nouni = in.bool("nouni");
        boolean nobcast = in.bool("nobcast");
        byte[] vlans = in.bytes("vlans", RxFilter.VLAN_BYTES);
        if (mac.length != 6 || vlans.length != RxFilter.VLAN_BYTES) {
            throw new VmStateException(NAME + ": mac or vlans field has the wrong length");
        }
        RxFilter filter = new RxFilter(promisc, allmulti, alluni, nomulti, nouni, nobcast, List.of(), List.of(), false,
                false, vlans);
        boolean localMigration = in.bool("local_migration");
        boolean announce = in.bool("announce_pending");
        long guestOffloads = in.u64("guest_offloads");
        return new VirtioNetState(transport, mac, netStatus, pairs, filter, localMigration, announce, guestOffloads);
    }

    static void saveMacTable(StateWriter out, RxFilter f) {
        out.bool("unicast_overflow", f.unicastOverflow());
        out.bool("multicast_overflow", f.multicastOverflow());
        out.bytes("unicast", concat(f.unicast()));
        out.bytes("multicast", concat(f.multicast()));
    }

    static RxFilter loadMacTable(StateReader in, RxFilter base) {
        boolean uo = in.bool("unicast_overflow");
        boolean mo = in.bool("multicast_overflow");
        List<byte[]> uni = split(in.bytes("unicast", RxFilter.MAC_TABLE_ENTRIES * 6));
        List<byte[]> multi = split(in.bytes("multicast", RxFilter.MAC_TABLE_ENTRIES * 6));
        return base.withMacTable(uni, uo, multi, mo);
    }

    private static byte[] concat(List<byte[]> macs) {
        byte[] b = new byte[macs.size() * 6];
        for (int i = 0; i < macs.size(); i++) {
            System.arraycopy(macs.get(i), 0, b, i * 6, 6);
        }
        return b;
    }

    private static List<byte[]> split(byte[] b) {
        if (b.length % 6 != 0) {
            throw new VmStateException(NAME + "/mac-table: " + b.length + " bytes is not whole addresses");
        }
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < b.length; i += 6) {
            out.add(Arrays.copyOfRange(b, i, i + 6));
        }
        return out;
    }
}
