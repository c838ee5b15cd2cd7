package io.jvmm.plugin.tap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.spi.net.Offloads;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.DatagramPacket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Frames through real taps, in a network namespace each test creates. */
class TapDataPathTest {
    private static final int BUF = TapBackend.MAX_FRAME + 12;

    private Map<String, String> fdsBefore;

    @org.junit.jupiter.api.BeforeAll
    static void warmUp() throws Exception {
        // The JDK keeps a socket from its first datagram send (address-family probing).
        try (var ch = DatagramChannel.open()) {
            ch.send(ByteBuffer.wrap(new byte[1]), new InetSocketAddress("127.0.0.1", 9));
        }
    }

    @BeforeEach
    void requireTap() {
        TapTestEnv.requireTap();
        fdsBefore = TapTestEnv.fdTable();
    }

    @org.junit.jupiter.api.AfterEach
    void noDescriptorLeaked() {
        var after = TapTestEnv.fdTableSettled(fdsBefore);
        after.keySet().removeAll(fdsBefore.keySet());
        assertEquals(Map.of(), after, "descriptors leaked");
    }

    private static TapBackend open(String ifname, int queues, boolean vnet) {
        return TapProps.create("net0", TapProps.RUNNING, "ifname", ifname, "queues", (long) queues, "vnet_hdr", vnet,
                "script", "no", "downscript", "no");
    }

    private static MemorySegment[] frameSegments(Arena arena, int hdrLen, byte[] frame) {
        MemorySegment f = arena.allocate(frame.length);
        MemorySegment.copy(frame, 0, f, ValueLayout.JAVA_BYTE, 0, frame.length);
        if (hdrLen == 0) {
            return new MemorySegment[] {f};
        }
        // Header and frame in separate segments, as a guest's descriptor chain often has them.
        return new MemorySegment[] {arena.allocate(hdrLen), f};
    }

    @ParameterizedTest(name = "vnet_hdr={0}")
    @ValueSource(booleans = {false, true})
    void framesSentThroughTheBackendReachTheKernel(boolean vnet) throws Exception {
        String ifname = TapTestEnv.uniqueName("jvt");
        try (TapLab lab = TapLab.create(); TapBackend tap = open(ifname, 1, vnet); Arena arena = Arena.ofConfined()) {
            assertEquals(vnet, tap.hasVnetHeader());
            lab.adoptInterface(ifname, 1500);
            DatagramChannel sock = lab.udpSocket(7000);
            try {
                tap.resume();
                long before = lab.counter(ifname, "rx_packets");
                Set<String> sent = new HashSet<>();
                for (int i = 0; i < 20; i++) {
                    String text = "frame " + i;
                    sent.add(text);
                    byte[] frame = Frames.udp(TapLab.HOST_MAC, TapLab.GUEST_MAC, lab.guestIp, lab.hostIp, 40000 + i, 7000,
                            text.getBytes(StandardCharsets.US_ASCII));
                    assertTrue(tap.queues().get(0).send(frameSegments(arena, tap.vnetHeaderLength(), frame)));
                }
                Set<String> received = new HashSet<>();
                for (int i = 0; i < 20; i++) {
                    DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
                    sock.socket().receive(p);
                    received.add(new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII));
                }
                assertEquals(sent, received);
                assertTrue(lab.counter(ifname, "rx_packets") - before >= 20, "kernel rx_packets counter");
                assertEquals(20, tap.tapQueues().get(0).stats().txFrames());
            } finally {
                TapLab.closeQuietly(sock);
            }
        }
    }

    @ParameterizedTest(name = "vnet_hdr={0}")
    @ValueSource(booleans = {false, true})
    void framesFromTheKernelArriveOnEveryQueue(boolean vnet) throws Exception {
        String ifname = TapTestEnv.uniqueName("jvt");
        int queues = 4;
        int flows = 64;
        List<TestSink> sinks = new ArrayList<>();
        try (TapLab lab = TapLab.create(); TapBackend tap = open(ifname, queues, vnet)) {
            if (vnet) {
                tap.setVnetHeaderLength(12);
            }
            int hdr = tap.vnetHeaderLength();
            assertEquals(vnet ? 12 : 0, hdr);
            for (var q : tap.queues()) {
                TestSink s = new TestSink(64, BUF, 3, true);
                sinks.add(s);
                q.attach(s, s);
            }
            lab.adoptInterface(ifname, 1500);
            tap.resume();
            TapTestEnv.inNetns(lab.ns, () -> {
                for (int f = 0; f < flows; f++) {
                    try (DatagramChannel ch = DatagramChannel.open()) {
                        ch.bind(new InetSocketAddress(lab.hostIp, 30000 + f));
                        for (int k = 0; k < 3; k++) {
                            ch.send(ByteBuffer.wrap(("flow " + f + " #" + k).getBytes(StandardCharsets.US_ASCII)),
                                    new InetSocketAddress(lab.guestIp, 9000));
                        }
                    }
                }
                return null;
            });
            Map<Integer, Set<Integer>> queuesPerFlow = new HashMap<>();
            int[] perQueue = new int[queues];
            int got = 0;
            long deadline = System.currentTimeMillis() + 5000;
            while (got < flows * 3 && System.currentTimeMillis() < deadline) {
                for (int q = 0; q < queues; q++) {
                    byte[] frame;
                    while ((frame = sinks.get(q).next(0)) != null) {
                        if (vnet) {
                            // flags 0 or NEEDS_CSUM, gso_type NONE: an ordinary frame after the header
                            assertEquals(0, frame[1], "gso_type");
                        }
                        Frames.Udp udp = Frames.parseUdp(frame, hdr);
                        if (udp == null || udp.dstPort() != 9000) {
                            continue;
                        }
                        String text = new String(udp.payload(), StandardCharsets.US_ASCII);
                        assertTrue(text.startsWith("flow " + (udp.srcPort() - 30000) + " #"), text);
                        queuesPerFlow.computeIfAbsent(udp.srcPort(), k -> new HashSet<>()).add(q);
                        perQueue[q]++;
                        got++;
                    }
                }
                Thread.sleep(5);
            }
            assertEquals(flows * 3, got, "UDP frames received");
            for (int q = 0; q < queues; q++) {
                assertTrue(perQueue[q] > 0, "queue " + q + " received nothing: " + java.util.Arrays.toString(perQueue));
                assertTrue(sinks.get(q).flushes.get() > 0, "flush after a batch");
            }
            for (var e : queuesPerFlow.entrySet()) {
                assertEquals(1, e.getValue().size(), "flow " + e.getKey() + " stays on one queue");
            }
        } finally {
            sinks.forEach(TestSink::close);
        }
    }

    @Test
    void framesUpTo64KiBArriveWholeWithOffloadsOn() throws Exception {
        String ifname = TapTestEnv.uniqueName("jvt");
        TestSink sink = new TestSink(8, BUF, 17, true);
        try (TapLab lab = TapLab.create(); TapBackend tap = open(ifname, 1, true)) {
            tap.setVnetHeaderLength(12);
            Offloads supported = tap.supportedOffloads();
            assertTrue(supported.csum() && supported.tso4() && supported.tso6(), "kernel offloads: " + supported);
            tap.setOffloads(new Offloads(true, true, true, true, false));
            tap.queues().get(0).attach(sink, sink);
            // A tap's largest MTU is 65535 minus the Ethernet header: one 65535-byte frame.
            lab.adoptInterface(ifname, 65521);
            tap.resume();
            byte[] payload = new byte[65521 - 28];
            for (int i = 0; i < payload.length; i++) {
                payload[i] = (byte) (i * 7);
            }
            TapTestEnv.inNetns(lab.ns, () -> {
                try (DatagramChannel ch = DatagramChannel.open()) {
                    ch.setOption(java.net.StandardSocketOptions.SO_SNDBUF, 1 << 20);
                    ch.bind(new InetSocketAddress(lab.hostIp, 5001));
                    ch.send(ByteBuffer.wrap(payload), new InetSocketAddress(lab.guestIp, 9001));
                }
                return null;
            });
            Frames.Udp udp = null;
            byte[] frame = null;
            long deadline = System.currentTimeMillis() + 5000;
            while (udp == null && System.currentTimeMillis() < deadline) {
                frame = sink.next(100);
                if (frame != null) {
                    Frames.Udp u = Frames.parseUdp(frame, 12);
                    udp = u != null && u.dstPort() == 9001 ? u : null;
                }
            }
            assertNotNull(udp, "64 KiB frame");
            assertEquals(12 + 65535, frame.length);
            assertEquals(65521, udp.ipTotalLength());
            assertArrayEquals(payload, udp.payload());
        } finally {
            sink.close();
        }
    }

    @Test
    void withoutReceiveBuffersNothingIsReadAndFramesWaitInTheKernel() throws Exception {
        String ifname = TapTestEnv.uniqueName("jvt");
        TestSink sink = new TestSink(0, BUF, 1, true);
        try (TapLab lab = TapLab.create(); TapBackend tap = open(ifname, 1, false)) {
            var queue = tap.queues().get(0);
            queue.attach(sink, sink);
            lab.adoptInterface(ifname, 1500);
            tap.resume();
            sendUdp(lab, 50, 9002);
            Thread.sleep(300);
            assertTrue(sink.frames.isEmpty(), "no buffers, no frames");
            assertTrue(sink.nullAcquires.get() <= 4,
                    "the backend stops asking while there are no buffers: " + sink.nullAcquires.get() + " acquires");
            assertEquals(0, tap.tapQueues().get(0).stats().rxDropped());
            sink.post(64);
            queue.rxReady();
            assertEquals(50, countUdp(sink, 9002, 50, 0), "every frame waited in the kernel");
        } finally {
            sink.close();
        }
    }

    @Test
    void aPausedBackendMovesNoFramesInEitherDirection() throws Exception {
        String ifname = TapTestEnv.uniqueName("jvt");
        TestSink sink = new TestSink(64, BUF, 1, true);
        try (TapLab lab = TapLab.create(); TapBackend tap = open(ifname, 1, false); Arena arena = Arena.ofConfined()) {
            var queue = tap.queues().get(0);
            queue.attach(sink, sink);
            lab.adoptInterface(ifname, 1500);
            tap.resume();
            tap.pause();
            long kernelRx = lab.counter(ifname, "rx_packets");
            byte[] frame = Frames.udp(TapLab.HOST_MAC, TapLab.GUEST_MAC, lab.guestIp, lab.hostIp, 40000, 7001,
                    "paused".getBytes(StandardCharsets.US_ASCII));
            assertFalse(queue.send(frameSegments(arena, 0, frame)), "send refused while paused");
            sendUdp(lab, 30, 9003);
            Thread.sleep(300);
            assertTrue(sink.frames.isEmpty(), "nothing read while paused");
            assertEquals(kernelRx, lab.counter(ifname, "rx_packets"), "nothing written while paused");
            assertEquals(0, sink.nullAcquires.get() + sink.abandoned.get(), "guest buffers untouched while paused");
            tap.resume();
            assertEquals(30, countUdp(sink, 9003, 30, 0));
            long deadline = System.currentTimeMillis() + 5000;
            while (sink.txReady.get() == 0 && System.currentTimeMillis() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(1, sink.txReady.get(), "txReady once after resume");
            assertTrue(queue.send(frameSegments(arena, 0, frame)));
        } finally {
            sink.close();
        }
    }

    @Test
    void aMalformedVnetHeaderFromTheGuestDropsThatFrameOnly() throws Exception {
        String ifname = TapTestEnv.uniqueName("jvt");
        try (TapLab lab = TapLab.create(); TapBackend tap = open(ifname, 1, true); Arena arena = Arena.ofConfined()) {
            lab.adoptInterface(ifname, 1500);
            DatagramChannel sock = lab.udpSocket(7002);
            try {
                tap.resume();
                var queue = tap.queues().get(0);
                byte[] frame = Frames.udp(TapLab.HOST_MAC, TapLab.GUEST_MAC, lab.guestIp, lab.hostIp, 40000, 7002,
                        "ok".getBytes(StandardCharsets.US_ASCII));
                MemorySegment[] bad = frameSegments(arena, 10, frame);
                // gso_type 0x7f and a checksum offset far outside the frame: garbage a guest can write.
                bad[0].set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
                bad[0].set(ValueLayout.JAVA_BYTE, 1, (byte) 0x7f);
                bad[0].set(ValueLayout.JAVA_SHORT_UNALIGNED, 6, (short) 0x7000);
                assertTrue(queue.send(bad), "consumed (dropped), not refused: the queue must not stall");
                assertEquals(1, tap.tapQueues().get(0).stats().txDropped());
                assertTrue(queue.send(frameSegments(arena, 10, frame)));
                DatagramPacket p = new DatagramPacket(new byte[64], 64);
                sock.socket().receive(p);
                assertEquals("ok", new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII));
            } finally {
                TapLab.closeQuietly(sock);
            }
        }
    }

    @Test
    void anInterfaceDeletedUnderTheBackendStopsItsQueueWithoutSpinning() throws Exception {
        String ifname = TapTestEnv.uniqueName("jvt");
        TestSink sink = new TestSink(8, BUF, 1, true);
        try (TapLab lab = TapLab.create(); TapBackend tap = open(ifname, 1, false); Arena arena = Arena.ofConfined()) {
            var queue = tap.queues().get(0);
            queue.attach(sink, sink);
            lab.adoptInterface(ifname, 1500);
            tap.resume();
            TapTestEnv.run("ip", "-n", lab.ns, "link", "del", ifname);
            long deadline = System.currentTimeMillis() + 2000;
            while (!tap.tapQueues().get(0).failed() && System.currentTimeMillis() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(tap.tapQueues().get(0).failed(), "the queue stopped");
            assertTrue(queue.enabled(), "the NIC's enable setting is its own");
            long wakeups = tap.tapQueues().get(0).stats().wakeups();
            Thread.sleep(300);
            assertEquals(wakeups, tap.tapQueues().get(0).stats().wakeups(), "no busy loop on POLLERR");
            byte[] frame = Frames.udp(TapLab.HOST_MAC, TapLab.GUEST_MAC, lab.guestIp, lab.hostIp, 1, 2, new byte[8]);
            assertTrue(queue.send(frameSegments(arena, 0, frame)), "sends are dropped, never stall the NIC");
        } finally {
            sink.close();
        }
    }

    static void sendUdp(TapLab lab, int count, int port) {
        TapTestEnv.inNetns(lab.ns, () -> {
            try (DatagramChannel ch = DatagramChannel.open()) {
                ch.bind(new InetSocketAddress(lab.hostIp, 0));
                for (int i = 0; i < count; i++) {
                    ch.send(ByteBuffer.wrap(("n" + i).getBytes(StandardCharsets.US_ASCII)),
                            new InetSocketAddress(lab.guestIp, port));
                }
            }
            return null;
        });
    }

    static int countUdp(TestSink sink, int port, int expected, int hdr) throws InterruptedException {
        int got = 0;
        long deadline = System.currentTimeMillis() + 5000;
        while (got < expected && System.currentTimeMillis() < deadline) {
            byte[] f = sink.next(50);
            if (f != null) {
                Frames.Udp u = Frames.parseUdp(f, hdr);
                if (u != null && u.dstPort() == port) {
                    got++;
                }
            }
        }
        return got;
    }
}
