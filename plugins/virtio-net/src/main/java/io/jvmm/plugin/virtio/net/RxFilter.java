package io.jvmm.plugin.virtio.net;

import java.util.Arrays;
import java.util.List;

/**
 * Receive filtering as QEMU's virtio-net does it (receive_filter): promiscuous mode first, then the
 * VLAN table, then broadcast, multicast and unicast rules with the MAC table. Immutable: the
 * control queue swaps in a new filter while I/O threads read the current one.
 *
 * @param unicast extra unicast addresses (the station address always matches)
 * @param vlans 4096 bits, one per VLAN id
 */
public record RxFilter(
        boolean promisc,
        boolean allmulti,
        boolean alluni,
        boolean nomulti,
        boolean nouni,
        boolean nobcast,
        List<byte[]> unicast,
        List<byte[]> multicast,
        boolean unicastOverflow,
        boolean multicastOverflow,
        byte[] vlans) {

    /** QEMU's MAC_TABLE_ENTRIES: more entries than this set the overflow flag instead. */
    public static final int MAC_TABLE_ENTRIES = 64;
    public static final int VLAN_BYTES = 4096 / 8;

    public RxFilter {
        unicast = List.copyOf(unicast);
        multicast = List.copyOf(multicast);
        if (vlans.length != VLAN_BYTES) {
            throw new IllegalArgumentException("VLAN table must be " + VLAN_BYTES + " bytes");
        }
        vlans = vlans.clone();
    }

    /**
     * The state after reset: promiscuous (QEMU starts that way for drivers that never program the
     * filter), every VLAN allowed unless the driver negotiated CTRL_VLAN.
     */
    public static RxFilter initial(boolean ctrlVlan) {
        byte[] vlans = new byte[VLAN_BYTES];
        if (!ctrlVlan) {
            Arrays.fill(vlans, (byte) 0xff);
        }
        return new RxFilter(true, false, false, false, false, false, List.of(), List.of(), false, false, vlans);
    }

    /**
     * Whether a frame whose Ethernet header starts {@code eth} (at least 16 bytes: destination,
     * source, type, and the VLAN tag when type is 0x8100) is delivered to a NIC with station
     * address {@code mac}.
     */
    public boolean accepts(byte[] eth, byte[] mac) {
        if (promisc) {
            return true;
        }
        if (eth.length >= 16 && (eth[12] & 0xff) == 0x81 && eth[13] == 0) {
            int vid = ((eth[14] & 0xff) << 8 | (eth[15] & 0xff)) & 0xfff;
            if ((vlans[vid >> 3] & (1 << (vid & 7))) == 0) {
                return false;
            }
        }
        if ((eth[0] & 1) != 0) {
            if (isBroadcast(eth)) {
                return !nobcast;
            }
            if (nomulti) {
                return false;
            }
            if (allmulti || multicastOverflow) {
                return true;
            }
            return contains(multicast, eth);
        }
        if (nouni) {
            return false;
        }
        if (alluni || unicastOverflow || Arrays.equals(eth, 0, 6, mac, 0, 6)) {
            return true;
        }
        return contains(unicast, eth);
    }

    private static boolean isBroadcast(byte[] eth) {
        for (int i = 0; i < 6; i++) {
            if (eth[i] != (byte) 0xff) {
                return false;
            }
        }
        return true;
    }

    private static boolean contains(List<byte[]> table, byte[] eth) {
        for (byte[] m : table) {
            if (Arrays.equals(m, 0, 6, eth, 0, 6)) {
                return true;
            }
        }
        return false;
    }

    public boolean vlanAllowed(int vid) {
        return (vlans[vid >> 3] & (1 << (vid & 7))) != 0;
    }

    public RxFilter withRxMode(int command, boolean on) {
        return switch (command) {
            case 0 -> new RxFilter(on, allmulti, alluni, nomulti, nouni, nobcast, unicast, multicast, unicastOverflow, multicastOverflow, vlans);
            case 1 -> new RxFilter(promisc, on, alluni, nomulti, nouni, nobcast, unicast, multicast, unicastOverflow, multicastOverflow, vlans);
            case 2 -> new RxFilter(promisc, allmulti, on, nomulti, nouni, nobcast, unicast, multicast, unicastOverflow, multicastOverflow, vlans);
            case 3 -> new RxFilter(promisc, allmulti, alluni, on, nouni, nobcast, unicast, multicast, unicastOverflow, multicastOverflow, vlans);
            case 4 -> new RxFilter(promisc, allmulti, alluni, nomulti, on, nobcast, unicast, multicast, unicastOverflow, multicastOverflow, vlans);
            case 5 -> new RxFilter(promisc, allmulti, alluni, nomulti, nouni, on, unicast, multicast, unicastOverflow, multicastOverflow, vlans);
            default -> throw new IllegalArgumentException("unknown rx mode command " + command);
        };
    }

    public RxFilter withMacTable(List<byte[]> uni, boolean uniOverflow, List<byte[]> multi, boolean multiOverflow) {
        return new RxFilter(promisc, allmulti, alluni, nomulti, nouni, nobcast, uni, multi, uniOverflow, multiOverflow, vlans);
    }

    public RxFilter withVlan(int vid, boolean allowed) {
        byte[] v = vlans.clone();
        if (allowed) {
            v[vid >> 3] |= (byte) (1 << (vid & 7));
        } else {
            v[vid >> 3] &= (byte) ~(1 << (vid & 7));
        }
        return new RxFilter(promisc, allmulti, alluni, nomulti, nouni, nobcast, unicast, multicast, unicastOverflow, multicastOverflow, v);
    }
}
