package io.jvmm.plugin.tap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.spi.net.Offloads;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Real TCP segmentation offload: a TCP sender in the namespace talks to a tiny TCP receiver behind
 * the backend (this test: SYN-ACK, then an ACK per frame). With TSO on, the kernel hands the tap
 * GSO frames with a TCPV4 vnet header; they must arrive whole, up to 64 KiB, with their bytes intact.
 */
class TapTsoTest {
    private static final int PORT = 8080;
    /** At least this much of the stream is received and checked. */
    private static final int STREAM = 3 << 20;
    private static final int GSO_TCPV4 = 1;

    @BeforeEach
    void requireTap() {
        TapTestEnv.requireTap();
    }

    @Test
    void tcpSegmentationOffloadFramesArriveWholeUpTo64KiB() throws Exception {
        String ifname = TapTestEnv.uniqueName("jvt");
        TestSink sink = new TestSink(64, TapBackend.MAX_FRAME + 12, 5, true);
        try (TapLab lab = TapLab.create();
                TapBackend tap = TapProps.create("net0", TapProps.RUNNING, "ifname", ifname, "script", "no",
                        "downscript", "no");
                Arena arena = Arena.ofShared()) {
            tap.setVnetHeaderLength(12);
            tap.setOffloads(new Offloads(true, true, true, true, false));
            var queue = tap.queues().get(0);
            queue.attach(sink, sink);
            lab.adoptInterface(ifname, 1500);
            tap.resume();

            AtomicReference<Throwable> clientError = new AtomicReference<>();
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            // Streams until told to stop (the congestion window, and with it the TSO frame size,
            // grows at a pace that depends on how loaded the machine is).
            Thread client = Thread.ofPlatform().start(() -> {
                try {
                    TestLibC.enterNetns(lab.ns);
                    try (SocketChannel ch = SocketChannel.open()) {
                        ch.bind(new InetSocketAddress(lab.hostIp, 0));
                        ch.connect(new InetSocketAddress(lab.guestIp, PORT));
                        ByteBuffer b = ByteBuffer.allocate(1 << 16);
                        long sent = 0;
                        while (!stop.get()) {
                            b.clear();
                            for (int i = 0; i < b.capacity(); i++) {
                                b.put((byte) ((sent + i) % 251));
                            }
                            b.flip();
                            while (b.hasRemaining()) {
                                sent += ch.write(b);
                            }
                        }
                    }
                } catch (java.nio.channels.ClosedByInterruptException e) {
                    // stopped while blocked in write: expected
                } catch (Throwable t) {
                    clientError.set(t);
                }
            });

            long iss = 1_000_000L;
            long peerIsn = -1;
            long nextExpected = -1;
            int largest = 0;
            int gsoFrames = 0;
            int clientPort = 0;
            long deadline = System.currentTimeMillis() + 30_000;
            while (System.currentTimeMillis() < deadline && (largest < 60_000 || nextExpected - peerIsn - 1 < STREAM)) {
                byte[] f = sink.next(100);
                if (f == null) {
                    continue;
                }
                ByteBuffer b = ByteBuffer.wrap(f);
                int eth = 12;
                if (f.length < eth + 14 + 40 || b.getShort(eth + 12) != 0x0800 || f[eth + 14 + 9] != 6) {
                    continue;
                }
                int ip = eth + 14;
                int tcp = ip + (f[ip] & 0x0f) * 4;
                int flags = f[tcp + 13] & 0xff;
                long seq = Integer.toUnsignedLong(b.getInt(tcp + 4));
                int payloadStart = tcp + ((f[tcp + 12] & 0xf0) >> 2);
                int payload = (b.getShort(ip + 2) & 0xffff) + ip - payloadStart;
                if ((flags & 0x02) != 0) { // SYN
                    clientPort = b.getShort(tcp) & 0xffff;
                    peerIsn = seq;
                    nextExpected = seq + 1;
                    send(queue, arena, lab, clientPort, iss, nextExpected, 0x12, true);
                    continue;
                }
                if (payload > 0) {
                    int gsoType = f[1] & 0x7f;
                    if (f.length - eth > 1514) {
                        assertEquals(GSO_TCPV4, gsoType, "a frame above the MTU must be a TSO frame");
                        gsoFrames++;
                    }
                    largest = Math.max(largest, f.length - eth);
                    long offset = seq - peerIsn - 1;
                    for (int i = 0; i < payload; i++) {
                        if (f[payloadStart + i] != (byte) ((offset + i) % 251)) {
                            throw new AssertionError("byte " + (offset + i) + " of the stream is wrong");
                        }
                    }
                    // A receiver's rules: in order advances; a retransmission (the sender's timer can
                    // fire on this loaded machine) advances past what it adds; a gap is answered with
                    // a duplicate ACK so the sender resends.
                    if (seq <= nextExpected) {
                        nextExpected = Math.max(nextExpected, seq + payload);
                    }
                    send(queue, arena, lab, clientPort, iss + 1, nextExpected, 0x10, false);
                }
            }
            stop.set(true);
            client.interrupt();
            client.join(5000);
            assertNull(clientError.get(), "client");
            assertTrue(gsoFrames > 0, "TSO frames arrived");
            assertTrue(largest > 60_000 && largest <= 65_550, "largest frame " + largest + " bytes");
            assertTrue(nextExpected - peerIsn - 1 >= STREAM, "the stream arrived in order, every byte checked");
            System.out.printf("TSO: %d frames above the MTU, largest %d bytes%n", gsoFrames, largest);
            tap.pause();
        } finally {
            sink.close();
        }
    }

    /** A TCP segment without payload from the "guest" (SYN-ACK with options, or an ACK). */
    private static void send(io.jvmm.spi.net.NetQueue queue, Arena arena, TapLab lab, int clientPort, long seq,
            long ack, int flags, boolean synOptions) {
        int optLen = synOptions ? 8 : 0; // MSS 1460, window scale 10, padding
        int tcpLen = 20 + optLen;
        ByteBuffer t = ByteBuffer.allocate(tcpLen).order(ByteOrder.BIG_ENDIAN);
        t.putShort((short) PORT).putShort((short) clientPort).putInt((int) seq).putInt((int) ack)
                .put((byte) ((tcpLen / 4) << 4)).put((byte) flags).putShort((short) 0xffff).putShort((short) 0)
                .putShort((short) 0);
        if (synOptions) {
            t.put((byte) 2).put((byte) 4).putShort((short) 1460).put((byte) 3).put((byte) 3).put((byte) 10).put((byte) 1);
        }
        byte[] tcp = t.array();
        byte[] pseudo = ByteBuffer.allocate(12 + tcpLen).put(lab.guestIp.getAddress()).put(lab.hostIp.getAddress())
                .put((byte) 0).put((byte) 6).putShort((short) tcpLen).put(tcp).array();
        short sum = Frames.checksum(pseudo, 0, pseudo.length);
        tcp[16] = (byte) (sum >> 8);
        tcp[17] = (byte) sum;
        int ipLen = 20 + tcpLen;
        ByteBuffer f = ByteBuffer.allocate(14 + ipLen);
        f.put(TapLab.HOST_MAC).put(TapLab.GUEST_MAC).putShort((short) 0x0800);
        f.put((byte) 0x45).put((byte) 0).putShort((short) ipLen).putShort((short) 0).putShort((short) 0x4000)
                .put((byte) 64).put((byte) 6).putShort((short) 0).put(lab.guestIp.getAddress()).put(lab.hostIp.getAddress());
        f.putShort(24, Frames.checksum(f.array(), 14, 20));
        f.put(tcp);
        byte[] frame = f.array();
        MemorySegment hdr = arena.allocate(12);
        MemorySegment body = arena.allocate(frame.length);
        MemorySegment.copy(frame, 0, body, ValueLayout.JAVA_BYTE, 0, frame.length);
        assertTrue(queue.send(new MemorySegment[] {hdr, body}));
    }
}
