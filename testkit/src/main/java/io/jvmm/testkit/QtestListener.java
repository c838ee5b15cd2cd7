package io.jvmm.testkit;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The listening end of {@code -qtest unix:PATH}: the test listens, the VMM connects as a client (QEMU's
 * convention, kept by jvmm). Bind first, start the VMM, then {@link #accept}.
 */
public final class QtestListener implements AutoCloseable {

    private final Path path;
    private final ServerSocketChannel server;

    private QtestListener(Path path, ServerSocketChannel server) {
        this.path = path;
        this.server = server;
    }

    public static QtestListener bind(Path path) throws IOException {
        Files.deleteIfExists(path);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path), 1);
        return new QtestListener(path, server);
    }

    public Path path() {
        return path;
    }

    /**
     * Waits for the VMM to connect. {@code stillAlive} is polled so a VMM that died during start-up
     * fails fast instead of after the whole timeout.
     */
    public QtestClient accept(Duration timeout, java.util.function.BooleanSupplier stillAlive) throws IOException {
        server.configureBlocking(false);
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Selector selector = Selector.open()) {
            server.register(selector, SelectionKey.OP_ACCEPT);
            while (true) {
                SocketChannel ch = server.accept();
                if (ch != null) {
                    ch.configureBlocking(true);
                    return new QtestClient(ch);
                }
                if (!stillAlive.getAsBoolean()) {
                    throw new IOException("the VMM exited before connecting to " + path);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IOException("the VMM did not connect to " + path + " within " + timeout);
                }
                selector.select(Math.max(1, Math.min(100, left / 1_000_000)));
                selector.selectedKeys().clear();
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        Files.deleteIfExists(path);
    }
}
