package io.jvmm.plugin.netsocket;

import static org.junit.jupiter.api.Assertions.*;

import io.jvmm.spi.config.ConfigException;
import io.jvmm.spi.config.Properties;
import io.jvmm.spi.net.NetBackend;
import io.jvmm.spi.net.NetQueue;
import io.jvmm.spi.net.RxSink;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The socket netdev over UNIX streams (no network traffic): framing, flow control, pause, errors. */
class SocketNetBackendTest {
    private Path dir;
    private final Arena arena = Arena.ofShared();

    @BeforeEach
    void setUp() throws IOException {
        dir = Files.createTempDirectory("jvmm-netsocket");
    }

    @AfterEach
    void tearDown() throws IOException {
        arena.close();
        try (var s = Files.list(dir)) {
            for (Path p : s.toList()) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(dir);
    }

    /** A NIC stand-in: hands out one 2 KiB buffer per frame while it has credit. */
    final class Sink implements RxSink, NetQueue.TxSource {
        final BlockingQueue<byte[]> frames = new LinkedBlockingQueue<>();
        volatile int credit = Integer.MAX_VALUE;
        volatile int txReady;

        record Buf(MemorySegment[] segments) implements RxBuffers {
        }

        @Override
        public RxBuffers acquire(int maxFrameLength) {
            if (credit <= 0) {
                return null;
            }
            credit--;
            MemorySegment m = arena.allocate(2048);
            return new Buf(new MemorySegment[] {m.asSlice(0, 100), m.asSlice(100, 1948)});
        }

        @Override
        public void complete(RxBuffers b, int length) {
            byte[] out = new byte[length];
            int at = 0;
            for (MemorySegment s : b.segments()) {
                int n = (int) Math.min(s.byteSize(), length - at);
                MemorySegment.copy(s, ValueLayout.JAVA_BYTE, 0, out, at, n);
                at += n;
            }
            frames.add(out);
        }

        @Override
        public void abandon(RxBuffers b) {
        }

        @Override
        public void flush() {
        }

        @Override
        public void txReady() {
            txReady++;
        }
    }

    private NetBackend listen(Path sock) {
        Map<String, Object> m = new HashMap<>();
        m.put("listen", "unix:" + sock);
        return new SocketNetBackendFactory().create("n0", Properties.of(m), () -> false);
    }

    private static void writeFrame(SocketChannel ch, byte[] frame) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4 + frame.length).putInt(frame.length).put(frame).flip();
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private static byte[] readFrame(SocketChannel ch) throws IOException {
        ByteBuffer len = ByteBuffer.allocate(4);
        while (len.hasRemaining()) {
            assertTrue(ch.read(len) >= 0);
        }
        ByteBuffer body = ByteBuffer.allocate(len.flip().getInt());
        while (body.hasRemaining()) {
            assertTrue(ch.read(body) >= 0);
        }
        return body.array();
    }

    private static byte[] frame(int n, int fill) {
        byte[] f = new byte[n];
        Arrays.fill(f, (byte) fill);
        return f;
    }

    @Test
    void framesBothWaysWithBigEndianLengths() throws Exception {
        Path sock = dir.resolve("n0.sock");
        try (NetBackend b = listen(sock)) {
            Sink sink = new Sink();
            b.queues().getFirst().attach(sink, sink);
            try (SocketChannel peer = SocketChannel.open(UnixDomainSocketAddress.of(sock))) {
                writeFrame(peer, frame(60, 1));
                writeFrame(peer, frame(1514, 2));
                assertArrayEquals(frame(60, 1), sink.frames.poll(5, TimeUnit.SECONDS));
                assertArrayEquals(frame(1514, 2), sink.frames.poll(5, TimeUnit.SECONDS));
                // NIC to peer: gathered from two segments
                MemorySegment a = arena.allocate(20).fill((byte) 7);
                MemorySegment c = arena.allocate(44).fill((byte) 8);
                awaitLink(b);
                assertTrue(b.queues().getFirst().send(new MemorySegment[] {a, c}));
                byte[] got = readFrame(peer);
                assertEquals(64, got.length);
                assertEquals(7, got[19]);
                assertEquals(8, got[20]);
            }
            assertFalse(b.hasVnetHeader());
        }
        assertFalse(Files.exists(sock), "the listening socket file is removed on close");
    }

    private static void awaitLink(NetBackend b) throws InterruptedException {
        for (int i = 0; i < 500 && !b.linkUp(); i++) {
            Thread.sleep(10);
        }
        assertTrue(b.linkUp());
    }

    @Test
    void noGuestBuffersStopsReadingAndLosesNothing() throws Exception {
        Path sock = dir.resolve("n1.sock");
        try (NetBackend b = listen(sock)) {
            Sink sink = new Sink();
            sink.credit = 1;
            b.queues().getFirst().attach(sink, sink);
            try (SocketChannel peer = SocketChannel.open(UnixDomainSocketAddress.of(sock))) {
                for (int i = 0; i < 5; i++) {
                    writeFrame(peer, frame(100, i));
                }
                assertNotNull(sink.frames.poll(5, TimeUnit.SECONDS));
                assertNull(sink.frames.poll(200, TimeUnit.MILLISECONDS), "no buffers: nothing delivered");
                sink.credit = 100;
                b.queues().getFirst().rxReady();
                for (int i = 1; i < 5; i++) {
                    assertArrayEquals(frame(100, i), sink.frames.poll(5, TimeUnit.SECONDS), "frame " + i);
                }
            }
        }
    }

    @Test
    void pausedBackendDeliversNothingUntilResumed() throws Exception {
        Path sock = dir.resolve("n2.sock");
        try (NetBackend b = listen(sock)) {
            Sink sink = new Sink();
            b.queues().getFirst().attach(sink, sink);
            try (SocketChannel peer = SocketChannel.open(UnixDomainSocketAddress.of(sock))) {
                awaitLink(b);
                b.pause();
                writeFrame(peer, frame(80, 3));
                assertNull(sink.frames.poll(300, TimeUnit.MILLISECONDS));
                b.resume();
                assertArrayEquals(frame(80, 3), sink.frames.poll(5, TimeUnit.SECONDS));
            }
        }
    }

    @Test
    void oversizedLengthDropsTheConnectionAndTheNextPeerIsAccepted() throws Exception {
        Path sock = dir.resolve("n3.sock");
        try (NetBackend b = listen(sock)) {
            Sink sink = new Sink();
            b.queues().getFirst().attach(sink, sink);
            try (SocketChannel bad = SocketChannel.open(UnixDomainSocketAddress.of(sock))) {
                bad.write(ByteBuffer.allocate(4).putInt(0x7fffffff).flip());
                ByteBuffer one = ByteBuffer.allocate(1);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                int r = 0;
                while (System.nanoTime() < deadline && (r = bad.read(one)) == 0) {
                    Thread.sleep(10);
                }
                assertEquals(-1, r, "the backend hangs up on a garbage length");
            }
            try (SocketChannel good = SocketChannel.open(UnixDomainSocketAddress.of(sock))) {
                writeFrame(good, frame(70, 9));
                assertArrayEquals(frame(70, 9), sink.frames.poll(5, TimeUnit.SECONDS));
            }
        }
    }

    @Test
    void truncatedStreamLosesOnlyThePartialFrame() throws Exception {
        Path sock = dir.resolve("n4.sock");
        try (NetBackend b = listen(sock)) {
            Sink sink = new Sink();
            b.queues().getFirst().attach(sink, sink);
            try (SocketChannel peer = SocketChannel.open(UnixDomainSocketAddress.of(sock))) {
                writeFrame(peer, frame(60, 1));
                peer.write(ByteBuffer.allocate(4 + 10).putInt(500).flip()); // 10 of 500 bytes, then hang up
            }
            assertArrayEquals(frame(60, 1), sink.frames.poll(5, TimeUnit.SECONDS));
            try (SocketChannel again = SocketChannel.open(UnixDomainSocketAddress.of(sock))) {
                writeFrame(again, frame(61, 2));
                assertArrayEquals(frame(61, 2), sink.frames.poll(5, TimeUnit.SECONDS));
            }
        }
    }

    @Test
    void connectModeTalksToAListeningPeer() throws Exception {
        Path sock = dir.resolve("n5.sock");
        try (var server = java.nio.channels.ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(sock));
            Map<String, Object> m = new HashMap<>();
            m.put("connect", sock.toString());
            try (NetBackend b = new SocketNetBackendFactory().create("n5", Properties.of(m), () -> false);
                    SocketChannel peer = server.accept()) {
                Sink sink = new Sink();
                b.queues().getFirst().attach(sink, sink);
                writeFrame(peer, frame(99, 4));
                assertArrayEquals(frame(99, 4), sink.frames.poll(5, TimeUnit.SECONDS));
            }
        }
    }

    /** socketpair(AF_UNIX, SOCK_STREAM) through FFM: two connected descriptors, as a parent would pass one. */
    private static int[] socketpair() throws Throwable {
        var linker = java.lang.foreign.Linker.nativeLinker();
        var h = linker.downcallHandle(linker.defaultLookup().find("socketpair").orElseThrow(),
                java.lang.foreign.FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                        ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
        try (Arena a = Arena.ofConfined()) {
            MemorySegment fds = a.allocate(8);
            int r = (int) h.invokeExact(1 /* AF_UNIX */, 1 /* SOCK_STREAM */, 0, fds);
            assertEquals(0, r, "socketpair");
            return new int[] {fds.get(ValueLayout.JAVA_INT, 0), fds.get(ValueLayout.JAVA_INT, 4)};
        }
    }

    @Test
    void inheritedDescriptorCarriesFramesBothWays() throws Throwable {
        int[] fds = socketpair();
        try (NetBackend b = new SocketNetBackendFactory().create("fd", Properties.of(Map.of("fd", (long) fds[0])), () -> false);
                FdFrameStream peer = new FdFrameStream(fds[1])) {
            Sink sink = new Sink();
            b.queues().getFirst().attach(sink, sink);
            byte[] f = frame(77, 5);
            peer.writeFully(ByteBuffer.allocate(4 + f.length).putInt(f.length).put(f).flip());
            assertArrayEquals(f, sink.frames.poll(5, TimeUnit.SECONDS));
            MemorySegment out = arena.allocate(90).fill((byte) 6);
            assertTrue(b.queues().getFirst().send(new MemorySegment[] {out}));
            ByteBuffer got = ByteBuffer.allocateDirect(94);
            while (got.hasRemaining()) {
                assertTrue(peer.read(got) > 0);
            }
            assertEquals(90, got.getInt(0));
            assertEquals(6, got.get(93));
        }
    }

    @Test
    void configErrorsSayWhatToDo() {
        var f = new SocketNetBackendFactory();
        assertTrue(assertThrows(ConfigException.class, () -> f.create("x", Properties.of(Map.of()), () -> false))
                .getMessage().contains("exactly one of listen=, connect= or fd="));
        assertTrue(assertThrows(ConfigException.class,
                () -> f.create("x", Properties.of(Map.of("listen", ":1", "connect", "a:2")), () -> false))
                .getMessage().contains("exactly one"));
        assertTrue(assertThrows(ConfigException.class,
                () -> f.create("x", Properties.of(Map.of("mcast", "230.0.0.1:1234")), () -> false))
                .getMessage().contains("not supported"));
        assertTrue(assertThrows(ConfigException.class,
                () -> f.create("x", Properties.of(Map.of("connect", "localhost")), () -> false))
                .getMessage().contains("[host]:port"));
        assertTrue(assertThrows(ConfigException.class,
                () -> f.create("x", Properties.of(Map.of("connect", "unix:" + dir.resolve("nobody"))), () -> false))
                .getMessage().contains("cannot open connect="));
        assertTrue(assertThrows(ConfigException.class,
                () -> f.create("x", Properties.of(Map.of("fd", 987654L)), () -> false))
                .getMessage().contains("not open"));
    }

    @Test
    void tcpAddressesParseLikeQemu() {
        assertEquals(new java.net.InetSocketAddress(1234), SocketNetConfig.parse("listen", ":1234", true));
        assertEquals(new java.net.InetSocketAddress("127.0.0.1", 5), SocketNetConfig.parse("connect", "127.0.0.1:5", false));
        assertThrows(ConfigException.class, () -> SocketNetConfig.parse("connect", ":5", false));
        assertThrows(ConfigException.class, () -> SocketNetConfig.parse("connect", "h:70000", false));
        assertEquals(UnixDomainSocketAddress.of("/tmp/x"), SocketNetConfig.parse("listen", "/tmp/x", true));
    }
}
