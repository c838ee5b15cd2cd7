package io.jvmm.plugin.migration.unix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.spi.migration.MigrationChannel;
import io.jvmm.spi.migration.MigrationListener;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnixMigrationTransportTest {
    @TempDir
    Path dir;

    private final UnixMigrationTransport transport = new UnixMigrationTransport();
    private Path socket;
    private MigrationListener listener;

    @BeforeEach
    void listen() throws IOException {
        socket = dir.resolve("mig.sock");
        listener = transport.listen(socket.toString());
    }

    @AfterEach
    void close() throws IOException {
        listener.close();
    }

    private record Pair(MigrationChannel source, MigrationChannel target) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            source.close();
            target.close();
        }
    }

    private Pair connect() throws Exception {
        CompletableFuture<MigrationChannel> accepted = CompletableFuture.supplyAsync(() -> {
            try {
                return listener.accept();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        MigrationChannel source = transport.connect(socket.toString());
        return new Pair(source, accepted.get(10, TimeUnit.SECONDS));
    }

    private int[] openFiles(int n) throws IOException {
        int[] fds = new int[n];
        for (int i = 0; i < n; i++) {
            Path f = Files.writeString(dir.resolve("file" + i), "content " + i);
            fds[i] = TestFds.open(f);
        }
        return fds;
    }

    @Test
    void descriptorsArriveAtTheirPlaceInABufferedStream() throws Exception {
        long before = TestFds.openCount();
        int[] fds = openFiles(5);
        byte[] head = new byte[40_000];
        byte[] tail = new byte[70_000];
        new Random(1).nextBytes(head);
        new Random(2).nextBytes(tail);
        try (Pair p = connect()) {
            // everything is sent before the receiver reads anything: one large read could take head,
            // markers and tail at once, and the descriptors must still come out in their place
            DataOutputStream out = new DataOutputStream(p.source().output());
            CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
                try {
                    out.write(head);
                    p.source().sendDescriptors(fds);
                    out.write(tail);
                    out.flush();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            DataInputStream in = new DataInputStream(p.target().input());
            Thread.sleep(100);
            byte[] gotHead = new byte[head.length];
            in.readFully(gotHead);
            int[] received = p.target().receiveDescriptors(5);
            byte[] gotTail = new byte[tail.length];
            in.readFully(gotTail);
            sent.get(10, TimeUnit.SECONDS);
            assertArrayEquals(head, gotHead);
            assertArrayEquals(tail, gotTail);
            for (int i = 0; i < 5; i++) {
                assertNotEquals(fds[i], received[i], "a new descriptor number in the receiver");
                assertEquals(TestFds.target(fds[i]), TestFds.target(received[i]), "same file, in order");
                assertTrue(TestFds.isOpen(fds[i]), "the sender keeps its descriptor");
            }
            System.gc();
            Thread.sleep(50);
            for (int i = 0; i < 5; i++) {
                assertTrue(TestFds.isOpen(received[i]), "nothing closes a received descriptor behind its owner");
                assertTrue(TestFds.isOpen(fds[i]));
                UnixNative.close(received[i]);
                UnixNative.close(fds[i]);
            }
        }
        assertEquals(before, TestFds.openCount(), "no descriptor leaked");
    }

    @Test
    void receivedDescriptorsOutliveTheChannel() throws Exception {
        // junixsocket closes every descriptor it received when its socket closes; a tap queue handed
        // over must stay open with its new owner after the migration channel is gone
        long before = TestFds.openCount();
        int[] fds = openFiles(2);
        int[] received;
        try (Pair p = connect()) {
            p.source().sendDescriptors(fds);
            received = p.target().receiveDescriptors(2);
        }
        System.gc();
        Thread.sleep(50);
        for (int i = 0; i < 2; i++) {
            assertTrue(TestFds.isOpen(received[i]), "received descriptor " + received[i] + " still open");
            assertEquals(TestFds.target(fds[i]), TestFds.target(received[i]));
            UnixNative.close(received[i]);
            UnixNative.close(fds[i]);
        }
        assertEquals(before, TestFds.openCount());
    }

    @Test
    void manyDescriptorsAreSplitIntoSeveralMessages() throws Exception {
        long before = TestFds.openCount();
        int[] fds = new int[300];
        int one = TestFds.open(Files.writeString(dir.resolve("many"), "x"));
        java.util.Arrays.fill(fds, one);
        try (Pair p = connect()) {
            CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
                try {
                    p.source().sendDescriptors(fds);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            int[] received = p.target().receiveDescriptors(300);
            sent.get(10, TimeUnit.SECONDS);
            assertEquals(300, received.length);
            for (int fd : received) {
                assertEquals(dir.resolve("many").toRealPath(), TestFds.target(fd));
                UnixNative.close(fd);
            }
        }
        UnixNative.close(one);
        assertEquals(before, TestFds.openCount());
    }

    @Test
    void markerWithoutDescriptorFailsAndLeaksNothing() throws Exception {
        long before = TestFds.openCount();
        int[] fds = openFiles(1);
        try (Pair p = connect()) {
            p.source().sendDescriptors(fds);
            // a plain marker byte without a descriptor attached (a forged or damaged stream)
            p.source().output().write(UnixMigrationChannel.MARKER);
            p.source().output().flush();
            IOException e = assertThrows(IOException.class, () -> p.target().receiveDescriptors(2));
            assertTrue(e.getMessage().contains("descriptor 2 of 2 did not arrive"), e.getMessage());
        }
        UnixNative.close(fds[0]);
        assertEquals(before, TestFds.openCount(), "the one that did arrive was closed");
    }

    @Test
    void wrongMarkerByteMeansTheStreamIsOutOfStep() throws Exception {
        try (Pair p = connect()) {
            p.source().output().write(0x41);
            p.source().output().flush();
            IOException e = assertThrows(IOException.class, () -> p.target().receiveDescriptors(1));
            assertTrue(e.getMessage().contains("out of step"), e.getMessage());
        }
    }

    @Test
    void descriptorsNobodyClaimedAreClosedWithTheChannel() throws Exception {
        long before = TestFds.openCount();
        int[] fds = openFiles(3);
        Pair p = connect();
        p.source().sendDescriptors(fds);
        OutputStream out = p.source().output();
        out.write(new byte[] {1, 2, 3});
        out.flush();
        // the receiver reads bytes (and so receives the descriptors) but never claims them
        byte[] b = p.target().input().readNBytes(6);
        assertEquals(6, b.length);
        p.close();
        for (int fd : fds) {
            UnixNative.close(fd);
        }
        assertEquals(before, TestFds.openCount());
    }

    @Test
    void endOfStreamWhileWaitingForDescriptorsFails() throws Exception {
        try (Pair p = connect()) {
            p.source().close();
            IOException e = assertThrows(IOException.class, () -> p.target().receiveDescriptors(1));
            assertTrue(e.getMessage().contains("ended after 0 of 1"), e.getMessage());
        }
    }

    @Test
    void listenerReplacesAStaleSocketRefusesOtherFilesAndRemovesItsOwn() throws Exception {
        listener.close();
        assertFalse(Files.exists(socket), "closing the listener removes its socket file");
        // a socket file left behind by a dead process
        MigrationListener first = transport.listen(socket.toString());
        assertTrue(Files.exists(socket));
        MigrationListener second = transport.listen(socket.toString());
        second.close();
        first.close();
        Path regular = Files.writeString(dir.resolve("not-a-socket"), "data");
        IOException e = assertThrows(IOException.class, () -> transport.listen(regular.toString()));
        assertTrue(e.getMessage().contains("not a socket"), e.getMessage());
        assertEquals("data", Files.readString(regular), "an ordinary file is never deleted");
        listener = transport.listen(socket.toString());
    }

    @Test
    void connectingToNothingSaysWhere() {
        IOException e = assertThrows(IOException.class, () -> transport.connect(dir.resolve("none.sock").toString()));
        assertTrue(e.getMessage().contains("none.sock"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> transport.connect(""));
        assertTrue(transport.carriesDescriptors());
        assertEquals("unix", transport.name());
    }
}
