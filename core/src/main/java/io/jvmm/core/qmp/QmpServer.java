package io.jvmm.core.qmp;

import io.jvmm.core.event.EventBus;
import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A QMP server on one UNIX socket with mode 0600. A stale socket
 * file (no one listening) is replaced; a live one is an error. Closing removes the file.
 *
 * <p>It uses the JDK's own UNIX-domain channels: QMP passes no descriptors, and junixsocket (which
 * the migration transport needs for SCM_RIGHTS) unpacks and loads a native library first, about
 * 45 ms of every start-up.
 */
public final class QmpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(QmpServer.class);
    private static final int MAX_CLIENTS = 32;
    /** sun_path holds 108 bytes with the terminating NUL. */
    private static final int MAX_SOCKET_PATH = 107;

    private final Path path;
    private final ServerSocketChannel server;
    private final QmpDispatcher dispatcher;
    private final EventBus events;
    private final Set<QmpConnection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicInteger counter = new AtomicInteger();
    private volatile boolean closed;

    private QmpServer(Path path, ServerSocketChannel server, QmpDispatcher dispatcher, EventBus events) {
        this.path = path;
        this.server = server;
        this.dispatcher = dispatcher;
        this.events = events;
    }

    /** Binds {@code path} and starts accepting clients. */
    public static QmpServer start(Path path, QmpDispatcher dispatcher, EventBus events) throws IOException {
        Path target = path.toAbsolutePath();
        Path dir = target.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new IOException("QMP socket " + path + ": directory " + dir + " does not exist");
        }
        removeStale(target);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            bindPrivate(server, target);
        } catch (IOException | RuntimeException e) {
            server.close();
            throw new IOException("QMP socket " + path + ": " + e.getMessage(), e);
        }
        QmpServer qmp = new QmpServer(target, server, dispatcher, events);
        Thread.ofPlatform().daemon().name("qmp-accept").start(qmp::acceptLoop);
        LOG.debug("QMP listening on {}", target);
        return qmp;
    }

    /**
     * Binds {@code target} so that no other user can ever connect: binding creates the file with mode
     * 0777 & ~umask, so the socket is bound under a temporary name, made 0600, then renamed into place
     * (a rename keeps the listening socket; the JDK does not tie the channel to its file name). A
     * temporary name too long for a socket address falls back to bind-then-chmod.
     */
    private static void bindPrivate(ServerSocketChannel server, Path target) throws IOException {
        Path temp = target.resolveSibling(".qmp-" + ProcessHandle.current().pid() + "-" + System.nanoTime() % 100000);
        if (temp.toString().getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH) {
            server.bind(UnixDomainSocketAddress.of(target));
            Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-------"));
            return;
        }
        try {
            server.bind(UnixDomainSocketAddress.of(temp));
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static void removeStale(Path target) throws IOException {
        if (!Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!isSocket(target)) {
            throw new IOException("QMP socket " + target + ": a file that is not a socket is in the way");
        }
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(target))) {
            throw new IOException("QMP socket " + target + " is in use by another process");
        } catch (ConnectException e) {
            LOG.debug("replacing stale socket {}", target);
            Files.deleteIfExists(target);
        }
    }

    private static boolean isSocket(Path p) throws IOException {
        Object mode = Files.getAttribute(p, "unix:mode", java.nio.file.LinkOption.NOFOLLOW_LINKS);
        return mode instanceof Integer m && (m & 0xF000) == 0xC000;
    }

    public Path path() {
        return path;
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                SocketChannel client = server.accept();
                if (connections.size() >= MAX_CLIENTS) {
                    LOG.warn("QMP {}: more than {} clients; refusing one", path, MAX_CLIENTS);
                    client.close();
                    continue;
                }
                String name = "qmp-" + counter.incrementAndGet();
                QmpConnection[] holder = new QmpConnection[1];
                QmpConnection c = new QmpConnection(client, dispatcher, events, name,
                        () -> connections.remove(holder[0]));
                holder[0] = c;
                connections.add(c);
                c.start();
            } catch (IOException e) {
                if (closed || !server.isOpen()) {
                    break;
                }
                LOG.warn("QMP {}: accept failed: {}", path, e.toString());
                try {
                    Thread.sleep(100); // e.g. out of descriptors: do not spin
                } catch (InterruptedException ie) {
                    break;
                }
            }
        }
    }

    /** Stops accepting, flushes and closes every client, removes the socket file. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            LOG.debug("closing QMP server: {}", e.toString());
        }
        for (QmpConnection c : Set.copyOf(connections)) {
            c.close();
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.warn("cannot remove QMP socket {}: {}", path, e.toString());
        }
    }
}
