package io.jvmm.ctl;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One QMP session over a UNIX socket: greeting, capabilities negotiation, commands matched to their answers by
 * {@code id}, and asynchronous events queued for whoever follows them.
 *
 * <p>A reader thread owns the socket's input, so events that arrive while a command is in flight are never lost
 * and commands may be sent from any thread (Ctrl-C cancels a migration from a shutdown hook).
 */
public final class QmpClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(QmpClient.class);
    /** Queued after the last event when the connection ends, so a waiting follower wakes up. */
    private static final JsonNode END = MissingNode.getInstance();

    private final Path socket;
    private final SocketChannel channel;
    private final Duration timeout;
    private final CompletableFuture<JsonNode> greeting = new CompletableFuture<>();
    private final Map<String, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
    private final AtomicLong nextId = new AtomicLong(1);
    private final Object writeLock = new Object();
    private volatile String closeReason;

    private QmpClient(Path socket, SocketChannel channel, Duration timeout) {
        this.socket = socket;
        this.channel = channel;
        this.timeout = timeout;
    }

    /**
     * Connects, waits for the greeting and leaves capabilities-negotiation mode.
     *
     * @param timeout how long to wait for the greeting and for each answer
     */
    public static QmpClient connect(Path socket, Duration timeout) {
        QmpClient client = new QmpClient(socket, UnixSocketConnector.connect(socket), timeout);
        Thread reader = new Thread(client::readLoop, "qmp-reader");
        reader.setDaemon(true);
        reader.start();
        try {
            client.awaitGreeting();
            client.execute("qmp_capabilities", null);
            return client;
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    /** The {@code QMP} member of the greeting, e.g. {@code {"version":{...},"capabilities":[...]}}. */
    public JsonNode greeting() {
        return greeting.getNow(MissingNode.getInstance()).path("QMP");
    }

    /**
     * Runs a command and returns its {@code return} value.
     *
     * @param arguments the {@code arguments} object, or null for none
     * @throws QmpErrorException when the server answers with an error
     */
    public JsonNode execute(String command, ObjectNode arguments) {
        ObjectNode message = Json.object().put("execute", command);
        if (arguments != null) {
            message.set("arguments", arguments);
        }
        JsonNode reply = send(message);
        return reply.path("return");
    }

    /**
     * Sends a complete QMP message as given (keeping the caller's {@code id} if it has one) and returns the whole
     * answer object.
     *
     * @throws QmpErrorException when the server answers with an error
     */
    public JsonNode send(ObjectNode message) {
        String command = message.path("execute").asText(message.path("exec-oob").asText("?"));
        ObjectNode toSend = message.deepCopy();
        if (!toSend.has("id")) {
            toSend.put("id", "jvmmctl-" + nextId.getAndIncrement());
        }
        String key = Json.compact(toSend.get("id"));
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(key, answer);
        try {
            write(toSend);
            JsonNode reply = await(answer, "answer to " + command);
            JsonNode error = reply.get("error");
            if (error != null) {
                throw new QmpErrorException(command, error.path("class").asText("GenericError"),
                        error.path("desc").asText("(no description)"));
            }
            return reply;
        } catch (ConnectionClosedException e) {
            throw new ConnectionClosedException(e.getMessage() + " before answering " + command);
        } finally {
            pending.remove(key);
        }
    }

    /**
     * The next event, waiting at most {@code wait}; empty if none came in time.
     *
     * @throws ConnectionClosedException once the connection has ended and every event before that was taken
     */
    public Optional<JsonNode> nextEvent(Duration wait) {
        try {
            JsonNode event = events.poll(wait.toNanos(), TimeUnit.NANOSECONDS);
            if (event == END) {
                events.add(END); // later callers must see the end too
                throw new ConnectionClosedException(closeReason);
            }
            return Optional.ofNullable(event);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CtlException(ExitCode.INTERRUPTED, "interrupted while waiting for events");
        }
    }

    /** Whether the server has closed the connection. */
    public boolean isClosed() {
        return closeReason != null;
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            log.debug("closing {}: {}", socket, e.toString());
        }
    }

    private void awaitGreeting() {
        JsonNode first = await(greeting, "QMP greeting");
        if (!first.path("QMP").isObject()) {
            throw new CtlException(ExitCode.PROTOCOL, socket + " is not a QMP server: it greeted with "
                    + abbreviate(Json.compact(first)) + " instead of {\"QMP\": ...};"
                    + " pass the socket given to -qmp, not a serial, monitor or migration socket");
        }
    }

    private JsonNode await(CompletableFuture<JsonNode> future, String what) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            boolean greetingMissing = future == greeting;
            throw new CtlException(ExitCode.PROTOCOL, "no " + what + " from " + socket + " within "
                    + timeout.toMillis() / 1000.0 + " s: " + (greetingMissing
                    ? "is it a QMP socket? A QMP monitor serves one client at a time, so another client may be"
                            + " connected (or raise --timeout)"
                    : "the VMM may be busy or hung; raise --timeout to wait longer"));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof CtlException ctl) {
                throw ctl;
            }
            throw new CtlException(ExitCode.PROTOCOL, "reading from " + socket + " failed: " + e.getCause(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CtlException(ExitCode.INTERRUPTED, "interrupted while waiting for " + what);
        }
    }

    private void write(ObjectNode message) {
        String line = Json.compact(message);
        log.debug("-> {}", line);
        ByteBuffer bytes = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
        synchronized (writeLock) {
            try {
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
            } catch (IOException e) {
                throw new ConnectionClosedException(socket + " closed the connection before "
                        + message.path("execute").asText("the command") + " could be sent (" + e.getMessage() + ")");
            }
        }
    }

    private void readLoop() {
        String reason = socket + " closed the connection";
        try (JsonParser messages = Json.parser(new ChannelInputStream(channel))) {
            while (messages.nextToken() != null) {
                dispatch(Json.read(messages));
            }
        } catch (JsonProcessingException e) {
            reason = socket + " is not a QMP server: it sent something that is not JSON ("
                    + abbreviate(e.getOriginalMessage()) + "); pass the socket given to -qmp";
        } catch (IOException | RuntimeException e) {
            if (channel.isOpen()) {
                reason = "reading from " + socket + " failed: " + e.getMessage();
            }
        } finally {
            connectionEnded(reason);
        }
    }

    private void dispatch(JsonNode message) {
        log.debug("<- {}", message);
        if (!greeting.isDone()) {
            greeting.complete(message);
        } else if (message.has("event")) {
            events.add(message);
        } else if (message.has("return") || message.has("error")) {
            CompletableFuture<JsonNode> waiter = pending.get(Json.compact(message.path("id")));
            if (waiter != null) {
                waiter.complete(message);
            } else {
                log.debug("answer nobody waits for: {}", message);
            }
        } else {
            log.warn("ignoring a message that is neither an answer nor an event: {}", message);
        }
    }

    private void connectionEnded(String reason) {
        closeReason = reason;
        ConnectionClosedException closed = new ConnectionClosedException(reason);
        if (!greeting.isDone()) {
            greeting.completeExceptionally(reason.contains("not a QMP server") ? closed
                    : new CtlException(ExitCode.PROTOCOL, socket + " closed the connection without a QMP greeting:"
                            + " it is probably not a QMP socket; pass the socket given to -qmp"));
        }
        pending.values().forEach(waiter -> waiter.completeExceptionally(closed));
        events.add(END);
    }

    private static String abbreviate(String text) {
        String oneLine = String.valueOf(text).replaceAll("\\s+", " ");
        return oneLine.length() <= 80 ? oneLine : oneLine.substring(0, 77) + "...";
    }
}
