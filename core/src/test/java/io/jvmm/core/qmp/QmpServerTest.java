package io.jvmm.core.qmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.inject.Guice;
import com.google.inject.Injector;
import io.jvmm.core.config.ConfigResolver;
import io.jvmm.core.config.QemuCommandLine;
import io.jvmm.core.config.VmPlan;
import io.jvmm.core.event.EventBus;
import io.jvmm.core.launcher.CoreModules;
import io.jvmm.core.plugin.PluginHost;
import io.jvmm.core.vm.Vm;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The QMP protocol over a real UNIX socket, against a real (empty) VM. */
class QmpServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private Vm vm;
    private EventBus events;
    private QmpServer server;
    private Path sock;

    @BeforeEach
    void start() throws Exception {
        PluginHost plugins = PluginHost.builtinOnly();
        VmPlan plan = new ConfigResolver(plugins.registries(), "")
                .resolve(QemuCommandLine.parse(List.of("-machine", "none", "-m", "4M")));
        events = new EventBus();
        Injector injector = Guice.createInjector(CoreModules.all(plan, plugins, events));
        vm = injector.getInstance(Vm.class);
        vm.start();
        sock = dir.resolve("qmp.sock");
        server = QmpServer.start(sock, injector.getInstance(QmpDispatcher.class), events);
    }

    @AfterEach
    void stop() {
        server.close();
        vm.close();
    }

    /** A raw client: lines in, JSON out. */
    final class Client implements AutoCloseable {
        final SocketChannel ch;
        final BufferedReader in;
        final Writer out;

        Client() throws IOException {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(sock));
            in = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.UTF_8));
            out = Channels.newWriter(ch, StandardCharsets.UTF_8);
        }

        JsonNode read() throws IOException {
            String line = in.readLine();
            if (line == null) {
                throw new IOException("closed");
            }
            return JSON.readTree(line);
        }

        void send(String text) throws IOException {
            out.write(text);
            out.flush();
        }

        JsonNode call(String text) throws IOException {
            send(text + "\n");
            return read();
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }

    @Test
    void greetingNegotiationAndIdEcho() throws IOException {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(sock)));
        try (Client c = new Client()) {
            JsonNode greeting = c.read();
            assertEquals(2, greeting.get("QMP").get("version").get("qemu").get("minor").asInt());
            assertEquals(0, greeting.get("QMP").get("capabilities").size());

            JsonNode early = c.call("{\"execute\": \"query-status\", \"id\": 7}");
            assertEquals("CommandNotFound", early.get("error").get("class").asText());
            assertEquals("Expecting capabilities negotiation with 'qmp_capabilities'", early.get("error").get("desc").asText());
            assertEquals(7, early.get("id").asInt());

            assertEquals(JSON.readTree("{\"return\": {}, \"id\": {\"a\": [1]}}"),
                    c.call("{\"execute\": \"qmp_capabilities\", \"id\": {\"a\": [1]}}"));
            JsonNode again = c.call("{\"execute\": \"qmp_capabilities\"}");
            assertEquals("Capabilities negotiation is already complete, command ignored",
                    again.get("error").get("desc").asText());
            assertEquals(JSON.readTree("{\"return\": {\"status\": \"running\", \"singlestep\": false, \"running\": true}}"),
                    c.call("{\"execute\": \"query-status\"}"));
        }
    }

    @Test
    void malformedInputGetsAnErrorAndTheConnectionStaysUsable() throws IOException {
        try (Client c = new Client()) {
            c.read();
            c.call("{\"execute\":\"qmp_capabilities\"}");
            assertEquals("GenericError", c.call("{\"execute\": }").get("error").get("class").asText());
            assertTrue(c.call("garbage here").get("error").get("desc").asText().startsWith("JSON parse error"));
            assertEquals("QMP input must be a JSON object", c.call("[1, 2]").get("error").get("desc").asText());
            assertEquals("QMP input lacks member 'execute'", c.call("{\"id\": 1}").get("error").get("desc").asText());
            assertEquals("QMP input member 'arguments' must be an object",
                    c.call("{\"execute\": \"stop\", \"arguments\": [1]}").get("error").get("desc").asText());
            assertEquals("The command no-such-command has not been found",
                    c.call("{\"execute\": \"no-such-command\"}").get("error").get("desc").asText());
            assertEquals("Parameter 'enable' is unexpected", c.call("{\"execute\": \"stop\", \"arguments\": {\"enable\": 1}}")
                    .get("error").get("desc").asText());
            // a request split across writes, and two requests in one write
            c.send("{\"execute\": \"query-");
            c.send("version\", \"id\": 1}{\"execute\": \"query-status\", \"id\": 2}\n");
            assertEquals(1, c.read().get("id").asInt());
            assertEquals(2, c.read().get("id").asInt());
            // strings with braces and escapes do not confuse the framing
            JsonNode r = c.call("{\"execute\": \"query-status\", \"id\": \"}{\\\"\"}");
            assertEquals("}{\"", r.get("id").asText());
        }
    }

    @Test
    void eventsReachEveryNegotiatedClient() throws IOException {
        try (Client a = new Client(); Client b = new Client(); Client notNegotiated = new Client()) {
            a.read();
            b.read();
            notNegotiated.read();
            a.call("{\"execute\":\"qmp_capabilities\"}");
            b.call("{\"execute\":\"qmp_capabilities\"}");
            JsonNode stopEvent = a.call("{\"execute\":\"stop\"}");
            assertEquals("STOP", stopEvent.get("event").asText(), "STOP comes before the reply, as in QEMU");
            assertTrue(stopEvent.get("timestamp").get("seconds").asLong() > 1_600_000_000L);
            assertEquals(JSON.readTree("{\"return\": {}}"), a.read());
            assertEquals("STOP", b.read().get("event").asText());
            assertEquals("paused", b.call("{\"execute\":\"query-status\"}").get("return").get("status").asText());
            // the client still negotiating got no event: its next line is the reply to its command
            assertEquals("CommandNotFound", notNegotiated.call("{\"execute\":\"cont\"}").get("error").get("class").asText());
        }
    }

    @Test
    void theSocketIsBoundPrivatelyAndRenamedIntoPlaceLeavingNothingElse() throws IOException {
        try (var files = Files.list(dir)) {
            assertEquals(List.of(sock), files.toList(), "no temporary socket file may be left behind");
        }
        try (Client c = new Client()) {
            assertEquals(2, c.read().get("QMP").get("version").get("qemu").get("minor").asInt());
        }
    }

    @Test
    void aPathTooLongForATemporaryNameIsStillBoundPrivately() throws IOException {
        // the target (106 bytes) fits a socket address (at most 107), its temporary sibling would not
        Path deep = Files.createDirectories(dir.resolve("d".repeat(104 - dir.toString().length() - 1)));
        Path longSock = deep.resolve("q");
        assertEquals(106, longSock.toString().length());
        QmpServer other = QmpServer.start(longSock, null, events);
        try {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(longSock)));
        } finally {
            other.close();
        }
        assertFalse(Files.exists(longSock));
    }

    @Test
    void aLiveSocketIsNotTakenOver() {
        IOException e = assertThrows(IOException.class, () -> QmpServer.start(sock, null, events));
        assertEquals("QMP socket " + sock + " is in use by another process", e.getMessage());
    }

    @Test
    void aStaleSocketIsReplacedAndCloseRemovesIt() throws IOException {
        server.close();
        // a socket file nobody listens on, as a killed VMM leaves behind
        try (var ch = java.nio.channels.ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.bind(UnixDomainSocketAddress.of(sock));
        }
        assertTrue(Files.exists(sock));
        QmpServer again = QmpServer.start(sock, null, events);
        again.close();
        assertFalse(Files.exists(sock));
    }

    @Test
    void aRegularFileInTheWayIsNotDeleted() throws IOException {
        Path file = dir.resolve("notes.txt");
        Files.writeString(file, "keep me");
        IOException e = assertThrows(IOException.class, () -> QmpServer.start(file, null, events));
        assertTrue(e.getMessage().endsWith("a file that is not a socket is in the way"), e.getMessage());
        assertEquals("keep me", Files.readString(file));
    }

    @Test
    void argumentTypesAreStrict() throws IOException {
        try (Client c = new Client()) {
            c.read();
            JsonNode r = c.call("{\"execute\":\"qmp_capabilities\", \"arguments\": {\"enable\": \"oob\"}}");
            assertEquals("Invalid parameter type for 'enable', expected: array", r.get("error").get("desc").asText());
            r = c.call("{\"execute\":\"qmp_capabilities\", \"arguments\": {\"enable\": [\"oob\"]}}");
            assertEquals("Capability 'oob' not available", r.get("error").get("desc").asText());
        }
    }

    @Test
    void framerHandsOutOversizedRequestsAsErrors() {
        JsonFramer f = new JsonFramer(16);
        char[] big = ("{\"execute\": \"" + "x".repeat(100) + "\"}{\"a\":1}").toCharArray();
        List<JsonFramer.Frame> frames = f.feed(big, 0, big.length);
        assertEquals(2, frames.size());
        assertTrue(frames.get(0).tooLarge());
        assertEquals("{\"a\":1}", frames.get(1).text());
    }
}
