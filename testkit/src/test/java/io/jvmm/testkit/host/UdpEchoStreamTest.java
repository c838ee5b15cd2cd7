package io.jvmm.testkit.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Checks the measuring tool itself: in a namespace, an echo server on loopback that drops every
 * tenth packet must be reported as exactly that loss.
 */
class UdpEchoStreamTest {

    static void requireNamespaces() {
        String why = NetNamespace.unavailableReason();
        if (why != null) {
            if ("1".equals(System.getenv("JVMM_REQUIRE_ALL"))) {
                fail("JVMM_REQUIRE_ALL=1 but " + why);
            }
            Assumptions.abort(why);
        }
    }

    @Test
    void countsLossAndDuplicatesOfALossyEchoer() throws Exception {
        requireNamespaces();
        try (NetNamespace ns = NetNamespace.create("jvmm-udptest")) {
            DatagramChannel server = ns.openDatagramChannel();
            // a large buffer so a descheduled echo thread (a loaded CI machine) drops nothing itself
            server.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 8 << 20);
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            InetSocketAddress addr = (InetSocketAddress) server.getLocalAddress();
            Thread echo = Thread.ofPlatform().daemon().start(() -> {
                ByteBuffer b = ByteBuffer.allocate(2048);
                try {
                    while (true) {
                        b.clear();
                        var from = server.receive(b);
                        b.flip();
                        long seq = b.getLong(0);
                        if (seq % 10 == 3) {
                            continue; // drop
                        }
                        server.send(b.duplicate(), from);
                        if (seq == 5) {
                            server.send(b.duplicate(), from); // a duplicate
                        }
                    }
                } catch (Exception e) {
                    // closed
                }
            });
            try (UdpEchoStream stream = new UdpEchoStream(ns, addr, 4, 2000, 64)) {
                stream.start();
                Thread.sleep(200);
                long middle = System.nanoTime();
                Thread.sleep(200);
                stream.stopSending();
                stream.drain(2000);
                UdpEchoStream.Stats s = stream.stats();
                assertTrue(s.sent() > 300, "sent " + s.sent());
                long expectedLost = (s.sent() + 6) / 10;
                assertEquals(expectedLost, s.lost(), s.toString());
                assertEquals(1, s.duplicates(), s.toString());
                // placed in time: the whole run holds every loss, and two halves add up to it
                assertEquals(s.lost(), stream.lostSentBetween(Long.MIN_VALUE, Long.MAX_VALUE));
                long early = stream.lostSentBetween(Long.MIN_VALUE, middle);
                long late = stream.lostSentBetween(middle, Long.MAX_VALUE);
                assertTrue(early > 0 && late > 0, early + " + " + late);
                assertEquals(s.lost(), early + late);
                double latency = stream.maxLatencyMillisSentBetween(Long.MIN_VALUE, Long.MAX_VALUE);
                assertTrue(latency > 0 && latency < 2000, "largest echo latency " + latency + " ms");
            } finally {
                server.close();
                echo.join(1000);
            }
        }
    }
}
