package io.jvmm.testkit.net;

import java.util.Arrays;

/** Builds and reads the few Ethernet/ARP/IPv4/ICMP/UDP frames the responder and tests need. */
public final class EthernetFrames {
    public static final int ETH_ARP = 0x0806, ETH_IPV4 = 0x0800;
    public static final int IP_ICMP = 1, IP_UDP = 17;
    public static final byte[] BROADCAST = {-1, -1, -1, -1, -1, -1};

    private EthernetFrames() {
    }

    public static int u16(byte[] b, int at) {
        return (b[at] & 0xff) << 8 | (b[at + 1] & 0xff);
    }

    static void put16(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 8);
        b[at + 1] = (byte) v;
    }

    public static int etherType(byte[] f) {
        return f.length >= 14 ? u16(f, 12) : -1;
    }

    /** The Internet checksum over {@code len} bytes at {@code at}. */
    public static int checksum(byte[] b, int at, int len) {
        long sum = 0;
        for (int i = 0; i + 1 < len; i += 2) {
            sum += u16(b, at + i);
        }
        if ((len & 1) != 0) {
            sum += (b[at + len - 1] & 0xff) << 8;
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (int) (~sum & 0xffff);
    }

    /** An ARP request: who has {@code targetIp}? tell {@code senderIp}. */
    public static byte[] arpRequest(byte[] senderMac, byte[] senderIp, byte[] targetIp) {
        byte[] f = new byte[60];
        System.arraycopy(BROADCAST, 0, f, 0, 6);
        System.arraycopy(senderMac, 0, f, 6, 6);
        put16(f, 12, ETH_ARP);
        put16(f, 14, 1);
        put16(f, 16, ETH_IPV4);
        f[18] = 6;
        f[19] = 4;
        put16(f, 20, 1);
        System.arraycopy(senderMac, 0, f, 22, 6);
        System.arraycopy(senderIp, 0, f, 28, 4);
        System.arraycopy(targetIp, 0, f, 38, 4);
        return f;
    }

    /** An IPv4 UDP datagram in an Ethernet frame (UDP checksum 0: none, valid for IPv4). */
    public static byte[] udp(byte[] dstMac, byte[] srcMac, byte[] srcIp, byte[] dstIp, int srcPort, int dstPort, byte[] payload) {
        int ipLen = 20 + 8 + payload.length;
        byte[] f = new byte[Math.max(60, 14 + ipLen)];
        System.arraycopy(dstMac, 0, f, 0, 6);
        System.arraycopy(srcMac, 0, f, 6, 6);
        put16(f, 12, ETH_IPV4);
        f[14] = 0x45;
        put16(f, 16, ipLen);
        f[22] = 64;
        f[23] = IP_UDP;
        System.arraycopy(srcIp, 0, f, 26, 4);
        System.arraycopy(dstIp, 0, f, 30, 4);
        put16(f, 24, checksum(f, 14, 20));
        put16(f, 34, srcPort);
        put16(f, 36, dstPort);
        put16(f, 38, 8 + payload.length);
        System.arraycopy(payload, 0, f, 42, payload.length);
        return f;
    }

    /**
     * The reply to {@code f} from a host with {@code mac} and {@code ip}, or null: ARP requests for
     * ip, ICMP echo requests to ip, UDP to ip on {@code udpEchoPort} (payload echoed unchanged).
     */
    public static byte[] reply(byte[] f, byte[] mac, byte[] ip, int udpEchoPort) {
        int type = etherType(f);
        if (type == ETH_ARP && f.length >= 42 && u16(f, 20) == 1 && Arrays.equals(f, 38, 42, ip, 0, 4)) {
            byte[] r = f.clone();
            System.arraycopy(f, 6, r, 0, 6);
            System.arraycopy(mac, 0, r, 6, 6);
            put16(r, 20, 2);
            System.arraycopy(mac, 0, r, 22, 6);
            System.arraycopy(ip, 0, r, 28, 4);
            System.arraycopy(f, 22, r, 32, 6);
            System.arraycopy(f, 28, r, 38, 4);
            return r;
        }
        if (type != ETH_IPV4 || f.length < 34 || (f[14] & 0xf0) != 0x40 || !Arrays.equals(f, 30, 34, ip, 0, 4)) {
            return null;
        }
        int ihl = (f[14] & 0x0f) * 4;
        int ipLen = u16(f, 16);
        if (ihl < 20 || 14 + ipLen > f.length || ipLen < ihl + 8) {
            return null;
        }
        int l4 = 14 + ihl;
        int proto = f[23] & 0xff;
        if (proto == IP_ICMP && f[l4] == 8) {
            byte[] r = swapped(f, mac);
            r[l4] = 0;
            put16(r, l4 + 2, 0);
            put16(r, l4 + 2, checksum(r, l4, ipLen - ihl));
            return r;
        }
        if (proto == IP_UDP && u16(f, l4 + 2) == udpEchoPort) {
            byte[] r = swapped(f, mac);
            put16(r, l4, u16(f, l4 + 2));
            put16(r, l4 + 2, u16(f, l4));
            return r; // swapping addresses and ports keeps the UDP checksum valid
        }
        return null;
    }

    /** Ethernet and IPv4 source/destination swapped (the IP header checksum stays valid). */
    private static byte[] swapped(byte[] f, byte[] mac) {
        byte[] r = f.clone();
        System.arraycopy(f, 6, r, 0, 6);
        System.arraycopy(mac, 0, r, 6, 6);
        System.arraycopy(f, 30, r, 26, 4);
        System.arraycopy(f, 26, r, 30, 4);
        return r;
    }
}
