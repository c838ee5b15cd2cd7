package io.jvmm.it.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A small QMP client for tests: reads the greeting, sends commands, keeps events apart from
 * replies. Works against jvmm and QEMU alike. Replies are returned whole (with "return" or
 * "error"), so tests assert on exactly what a client sees.
 */
public final class QmpClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SocketChannel channel;
    private final Writer out;
    private final JsonNode greeting;
    private final LinkedBlockingQueue<JsonNode> replies = new LinkedBlockingQueue<>();
    private final LinkedBlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
    private final List<JsonNode> allEvents = java.util.Collections.synchronizedList(new ArrayList<>());
    private volatile boolean closed;

    private QmpClient(SocketChannel channel) throws IOException {
        this.channel = channel;
        this.out = Channels.newWriter(channel, StandardCharsets.UTF_8);
        BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
        String first = in.readLine();
        if (first == null) {
            throw new IOException("QMP server closed the connection before its greeting");
        }
        this.greeting = JSON.readTree(first);
        Thread.ofPlatform().daemon().name("qmp-client-reader").start(() -> readLoop(in));
    }

    /** Connects and reads the greeting (does not negotiate). */
    public static QmpClient connect(Path socket) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
            return new QmpClient(ch);
        } catch (IOException e) {
            ch.close();
            throw e;
        }
    }

    private void readLoop(BufferedReader in) {
        try {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode n = JSON.readTree(line);
                if (n.has("event")) {
                    events.add(n);
                    allEvents.add(n);
                } else {
                    replies.add(n);
                }
            }
        } catch (IOException e) {
            // connection closed
        } finally {
            closed = true;
            replies.add(JSON.createObjectNode().put("closed", true));
        }
    }

    public JsonNode greeting() {
        return greeting;
    }

    /** {@code qmp_capabilities}; fails unless it returns {}. */
    public QmpClient negotiate() {
        JsonNode r = execute("qmp_capabilities");
        if (!r.has("return")) {
            throw new IllegalStateException("qmp_capabilities failed: " + r);
        }
        return this;
    }

    public JsonNode execute(String command) {
        return execute(command, null);
    }

    /** Sends a command and returns the whole reply ({"return": ...} or {"error": ...}). */
    public JsonNode execute(String command, Map<String, ?> arguments) {
        Map<String, Object> req = new java.util.LinkedHashMap<>();
        req.put("execute", command);
        if (arguments != null) {
            req.put("arguments", arguments);
        }
        try {
            return sendRaw(JSON.writeValueAsString(req));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Sends raw text (possibly malformed JSON) and returns the next reply (10 s at most). */
    public JsonNode sendRaw(String text) {
        try {
            synchronized (out) {
                out.write(text);
                out.write("\n");
                out.flush();
            }
            return nextReply(Duration.ofSeconds(10));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public JsonNode nextReply(Duration timeout) {
        try {
            JsonNode r = replies.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (r == null) {
                throw new IllegalStateException("no QMP reply within " + timeout);
            }
            if (r.has("closed")) {
                throw new IllegalStateException("QMP connection closed without a reply");
            }
            return r;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Waits for the next event named {@code name} (others are skipped but kept in {@link #events()}). */
    public JsonNode awaitEvent(String name, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                JsonNode e = events.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
                if (e == null) {
                    throw new IllegalStateException("no " + name + " event within " + timeout + "; events so far: " + allEvents);
                }
                if (e.get("event").asText().equals(name)) {
                    return e;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Every event received so far. */
    public List<JsonNode> events() {
        synchronized (allEvents) {
            return List.copyOf(allEvents);
        }
    }

    /** True once the server closed the connection. */
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
