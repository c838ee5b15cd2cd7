package io.jvmm.plugin.tap;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;

/** Builds and parses Ethernet/IPv4/UDP frames for the tests (UDP checksum 0: optional in IPv4). */
final class Frames {
    static final int ETH = 14;
    static final int IP = 20;
    static final int UDP = 8;

    private Frames() {
    }

    static byte[] udp(byte[] dstMac, byte[] srcMac, InetAddress src, InetAddress dst, int srcPort, int dstPort,
            byte[] payload) {
        int ipLen = IP + UDP + payload.length;
        ByteBuffer b = ByteBuffer.allocate(ETH + ipLen);
        b.put(dstMac).put(srcMac).putShort((short) 0x0800);
        int ipStart = b.position();
        b.put((byte) 0x45).put((byte) 0).putShort((short) ipLen).putShort((short) 0).putShort((short) 0x4000)
                .put((byte) 64).put((byte) 17).putShort((short) 0).put(src.getAddress()).put(dst.getAddress());
        b.putShort(ipStart + 10, checksum(b.array(), ipStart, IP));
        b.putShort((short) srcPort).putShort((short) dstPort).putShort((short) (UDP + payload.length)).putShort((short) 0);
        b.put(payload);
        return b.array();
    }

    static short checksum(byte[] data, int off, int len) {
        long sum = 0;
        for (int i = 0; i < len; i += 2) {
            int hi = data[off + i] & 0xff;
            int lo = i + 1 < len ? data[off + i + 1] & 0xff : 0;
            sum += (hi << 8) | lo;
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (short) ~sum;
    }

    /** A parsed UDP datagram, or null if the frame at {@code off} is not IPv4/UDP. */
    record Udp(int srcPort, int dstPort, byte[] payload, int ipTotalLength) {
    }

    static Udp parseUdp(byte[] frame, int off) {
        if (frame.length < off + ETH + IP + UDP) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(frame);
        if ((b.getShort(off + 12) & 0xffff) != 0x0800 || (frame[off + ETH] & 0xf0) != 0x40 || frame[off + ETH + 9] != 17) {
            return null;
        }
        int ihl = (frame[off + ETH] & 0x0f) * 4;
        int ipTotal = b.getShort(off + ETH + 2) & 0xffff;
        int udp = off + ETH + ihl;
        int udpLen = b.getShort(udp + 4) & 0xffff;
        byte[] payload = Arrays.copyOfRange(frame, udp + UDP, Math.min(frame.length, udp + udpLen));
        return new Udp(b.getShort(udp) & 0xffff, b.getShort(udp + 2) & 0xffff, payload, ipTotal);
    }
}
