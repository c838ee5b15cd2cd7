package io.jvmm.core.qmp;

import io.jvmm.core.event.EventBus;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Reader;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One QMP client: a reader thread that frames and dispatches requests, and a writer thread that
 * sends replies and events from a bounded queue. Emitting an event never blocks on a slow client;
 * a client that stops reading until its queue is full is disconnected.
 */
final class QmpConnection implements EventBus.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(QmpConnection.class);
    private static final int MAX_MESSAGE = 1 << 20;
    private static final int QUEUE = 1024;
    private static final String CLOSE = new String("close");

    private final SocketChannel socket;
    private final QmpDispatcher dispatcher;
    private final EventBus events;
    private final QmpDispatcher.Session session = new QmpDispatcher.Session();
    private final BlockingQueue<String> outbox = new ArrayBlockingQueue<>(QUEUE);
    private final Runnable onClose;
    private final String name;
    private volatile boolean closed;
    private Thread writer;

    QmpConnection(SocketChannel socket, QmpDispatcher dispatcher, EventBus events, String name, Runnable onClose) {
        this.socket = socket;
        this.dispatcher = dispatcher;
        this.events = events;
        this.name = name;
        this.onClose = onClose;
    }

    void start() {
        writer = Thread.ofPlatform().daemon().name(name + "-out").start(this::writeLoop);
        Thread.ofPlatform().daemon().name(name + "-in").start(this::readLoop);
    }

    private void readLoop() {
        events.subscribe(this);
        try {
            send(QmpJson.greeting());
            InputStream in = Channels.newInputStream(socket);
            Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8);
            JsonFramer framer = new JsonFramer(MAX_MESSAGE);
            char[] buf = new char[8192];
            int n;
            while (!closed && (n = reader.read(buf)) >= 0) {
                for (JsonFramer.Frame frame : framer.feed(buf, 0, n)) {
                    if (frame.tooLarge()) {
                        send(QmpJson.error("GenericError", "JSON parse error, request larger than "
                                + MAX_MESSAGE + " bytes", null));
                        continue;
                    }
                    LOG.debug("{} <- {}", name, frame.text());
                    QmpDispatcher.Outcome outcome = dispatcher.dispatch(frame.text(), session);
                    send(outcome.reply());
                    outcome.afterReply().ifPresent(Runnable::run);
                }
            }
        } catch (IOException e) {
            if (!closed) {
                LOG.debug("{}: {}", name, e.toString());
            }
        } finally {
            close();
        }
    }

    @Override
    public void onEvent(EventBus.Event event) {
        if (session.negotiated() && !closed) {
            send(QmpJson.event(event));
        }
    }

    private void send(String message) {
        if (!outbox.offer(message)) {
            LOG.warn("{}: client does not read its replies and events; disconnecting", name);
            closeNow();
        }
    }

    private void writeLoop() {
        try {
            OutputStream out = Channels.newOutputStream(socket);
            while (true) {
                String m = outbox.take();
                if (m == CLOSE) {
                    break;
                }
                LOG.debug("{} -> {}", name, m);
                out.write((m + "\r\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (IOException e) {
            LOG.debug("{}: {}", name, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeNow();
        }
    }

    /** Sends what is queued (waiting at most a second), then closes. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        events.unsubscribe(this);
        outbox.offer(CLOSE);
        try {
            if (writer != null && Thread.currentThread() != writer) {
                writer.join(TimeUnit.SECONDS.toMillis(1));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeNow();
    }

    private void closeNow() {
        closed = true;
        events.unsubscribe(this);
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing a socket the peer already closed
        }
        if (writer != null && Thread.currentThread() != writer) {
            writer.interrupt();
        }
        onClose.run();
    }
}
