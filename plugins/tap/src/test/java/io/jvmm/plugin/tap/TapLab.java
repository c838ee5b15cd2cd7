package io.jvmm.plugin.tap;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A private network namespace for one test: the tap's interface is moved into it (the backend's
 * descriptors keep working), gets the host address, and a static neighbour entry for the "guest"
 * address, so traffic never leaves the namespace and nobody waits on ARP.
 */
final class TapLab implements AutoCloseable {
    static final byte[] GUEST_MAC = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
    static final byte[] HOST_MAC = {0x02, 0x00, 0x00, (byte) 0xaa, (byte) 0xbb, 0x01};

    final String ns;
    final InetAddress hostIp;
    final InetAddress guestIp;

    private TapLab(String ns, InetAddress host, InetAddress guest) {
        this.ns = ns;
        this.hostIp = host;
        this.guestIp = guest;
    }

    static TapLab create() {
        String ns = TapTestEnv.uniqueName("jvmmtap");
        TapTestEnv.run("ip", "netns", "add", ns);
        try {
            TapTestEnv.run("ip", "-n", ns, "link", "set", "lo", "up");
            // No IPv6 autoconfiguration chatter on the tap.
            TapTestEnv.run("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1");
            TapTestEnv.run("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.default.disable_ipv6=1");
            int b = ThreadLocalRandom.current().nextInt(1, 254);
            int c = ThreadLocalRandom.current().nextInt(1, 254);
            return new TapLab(ns, addr(10, b, c, 1), addr(10, b, c, 2));
        } catch (RuntimeException e) {
            TapTestEnv.tryRun("ip", "netns", "del", ns);
            throw e;
        }
    }

    private static InetAddress addr(int a, int b, int c, int d) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Moves the interface into the namespace and configures it. */
    void adoptInterface(String ifname, int mtu) {
        TapTestEnv.run("ip", "link", "set", ifname, "netns", ns);
        TapTestEnv.run("ip", "-n", ns, "link", "set", ifname, "address", "02:00:00:aa:bb:01", "mtu",
                Integer.toString(mtu), "up");
        TapTestEnv.run("ip", "-n", ns, "addr", "add", hostIp.getHostAddress() + "/24", "dev", ifname);
        TapTestEnv.run("ip", "-n", ns, "neigh", "replace", guestIp.getHostAddress(), "lladdr", "52:54:00:12:34:56",
                "dev", ifname, "nud", "permanent");
    }

    /** A UDP socket in the namespace bound to the host address (blocking, with a receive timeout). */
    DatagramChannel udpSocket(int port) {
        return TapTestEnv.inNetns(ns, () -> {
            DatagramChannel ch = DatagramChannel.open();
            ch.bind(new InetSocketAddress(hostIp, port));
            ch.socket().setSoTimeout(5000);
            return ch;
        });
    }

    boolean linkExists(String ifname) {
        return TapTestEnv.tryRun("ip", "-n", ns, "link", "show", "dev", ifname) != null;
    }

    long counter(String ifname, String name) {
        String out = TapTestEnv.run("ip", "netns", "exec", ns, "cat", "/sys/class/net/" + ifname + "/statistics/" + name);
        return Long.parseLong(out.trim());
    }

    @Override
    public void close() {
        TapTestEnv.tryRun("ip", "netns", "del", ns);
    }

    static void closeQuietly(DatagramChannel ch) {
        try {
            if (ch != null) {
                ch.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
