package io.jvmm.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every way a connection can go wrong ends in one clear message and the documented exit code. */
class ConnectionErrorsTest {
    private static final String GREETING = "{\"QMP\":{\"version\":{\"qemu\":{\"major\":7,\"minor\":2,\"micro\":0}},"
            + "\"capabilities\":[]}}\r\n";

    @TempDir
    Path dir;

    private static void assertFails(CtlRun run, ExitCode code, String messagePart) {
        assertEquals(code, run.exitCode(), run::toString);
        assertTrue(run.err().contains(messagePart), run::toString);
    }

    @Test
    void missingSocketSaysHowToStartTheVmm() {
        Path socket = dir.resolve("vm.qmp");
        assertFails(CtlRun.of("-s", socket.toString(), "status"), ExitCode.CONNECTION,
                "no QMP socket at " + socket + ": start the VMM with -qmp unix:" + socket);
    }

    @Test
    void aRegularFileIsNotASocket() throws Exception {
        Path file = Files.writeString(dir.resolve("vm.qmp"), "");
        assertFails(CtlRun.of("-s", file.toString(), "status"), ExitCode.CONNECTION, "is not a socket");
    }

    @Test
    void staleSocketFileIsRefused() throws Exception {
        Path socket = dir.resolve("vm.qmp");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
        } // closed: the file stays, nobody listens, as after a VMM crashed
        assertFails(CtlRun.of("-s", socket.toString(), "status"), ExitCode.CONNECTION,
                "nobody is listening on " + socket + " (connection refused)");
    }

    @Test
    void peerSpeakingAnotherProtocolIsNotQmp() throws Exception {
        Path socket = dir.resolve("ssh.sock");
        try (FakePeer _ = new FakePeer(socket, c -> {
            c.send("SSH-2.0-OpenSSH_9.2p1\r\n");
            Thread.sleep(2000);
        })) {
            assertFails(CtlRun.of("-s", socket.toString(), "status"), ExitCode.PROTOCOL,
                    socket + " is not a QMP server");
        }
    }

    @Test
    void jsonThatIsNotAGreetingIsNotQmp() throws Exception {
        Path socket = dir.resolve("other.sock");
        try (FakePeer _ = new FakePeer(socket, c -> {
            c.send("{\"hello\":1}\n");
            Thread.sleep(2000);
        })) {
            assertFails(CtlRun.of("-s", socket.toString(), "status"), ExitCode.PROTOCOL,
                    "is not a QMP server: it greeted with {\"hello\":1}");
        }
    }

    @Test
    void silentPeerTimesOutNamingTheLikelyCause() throws Exception {
        Path socket = dir.resolve("silent.sock");
        try (FakePeer _ = new FakePeer(socket, c -> Thread.sleep(3000))) {
            long start = System.nanoTime();
            CtlRun run = CtlRun.of("-s", socket.toString(), "--timeout", "0.3", "status");
            assertFails(run, ExitCode.PROTOCOL, "no QMP greeting from " + socket + " within 0.3 s");
            assertTrue(run.err().contains("one client at a time"), run::toString);
            // well below the 10 s default, with room for a busy machine
            assertTrue(System.nanoTime() - start < 5_000_000_000L, "the timeout was not honoured");
        }
    }

    @Test
    void peerClosingMidCommandIsReportedAsSuch() throws Exception {
        Path socket = dir.resolve("dies.sock");
        try (FakePeer _ = new FakePeer(socket, c -> {
            c.send(GREETING);
            c.send("{\"return\":{},\"id\":" + c.receiveId() + "}\r\n");
            c.receive(); // query-status, never answered
        })) {
            assertFails(CtlRun.of("-s", socket.toString(), "status"), ExitCode.PROTOCOL,
                    "closed the connection before answering query-status");
        }
    }

    @Test
    void eventsArrivingBeforeAnAnswerDoNotConfuseTheClient() throws Exception {
        Path socket = dir.resolve("vm.qmp");
        try (FakePeer _ = new FakePeer(socket, c -> {
            c.send(GREETING);
            c.send("{\"return\":{},\"id\":" + c.receiveId() + "}\r\n");
            String id = c.receiveId();
            c.send("{\"event\":\"STOP\",\"timestamp\":{\"seconds\":1,\"microseconds\":0}}\r\n");
            c.send("{\"return\":{\"status\":\"postmigrate\",\"running\":false},\"id\":" + id + "}\r\n");
            c.receive();
        })) {
            CtlRun run = CtlRun.of("-s", socket.toString(), "status");
            assertEquals(ExitCode.OK, run.exitCode(), run::toString);
            assertEquals("paused (postmigrate)" + System.lineSeparator(), run.out());
        }
    }
}
