package io.jvmm.it.migration;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Sits between source and target on UNIX sockets (a migration without descriptors) and damages the
 * source's stream once the target has accepted it (after the first bytes from the target): cuts it
 * after {@code cutAfter} bytes, or flips one bit at {@code flipAt}. Models a broken channel or a
 * corrupted stream reaching a real target.
 */
final class StreamProxy implements AutoCloseable {
    private final ServerSocketChannel server;
    private final Path listen;
    private final Path target;
    private final long cutAfter;
    private final long flipAt;
    private final AtomicBoolean accepted = new AtomicBoolean();
    private volatile SocketChannel fromSource;
    private volatile SocketChannel toTarget;
    private final Thread thread;

    static StreamProxy cutting(Path listen, Path target, long cutAfter) throws IOException {
        return new StreamProxy(listen, target, cutAfter, -1);
    }

    static StreamProxy flipping(Path listen, Path target, long flipAt) throws IOException {
        return new StreamProxy(listen, target, -1, flipAt);
    }

    private StreamProxy(Path listen, Path target, long cutAfter, long flipAt) throws IOException {
        this.listen = listen;
        this.target = target;
        this.cutAfter = cutAfter;
        this.flipAt = flipAt;
        Files.deleteIfExists(listen);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(listen));
        thread = Thread.ofPlatform().daemon().name("stream-proxy").start(this::run);
    }

    private void run() {
        try {
            fromSource = server.accept();
            toTarget = SocketChannel.open(UnixDomainSocketAddress.of(target));
            Thread back = Thread.ofPlatform().daemon().name("stream-proxy-back").start(() -> copyBack());
            ByteBuffer b = ByteBuffer.allocate(64 << 10);
            long afterAccept = 0;
            while (fromSource.read(b.clear()) > 0) {
                b.flip();
                if (accepted.get()) {
                    if (cutAfter >= 0 && afterAccept + b.remaining() > cutAfter) {
                        b.limit(b.position() + (int) (cutAfter - afterAccept));
                        write(toTarget, b);
                        break;
                    }
                    if (flipAt >= afterAccept && flipAt < afterAccept + b.remaining()) {
                        int i = (int) (flipAt - afterAccept);
                        b.put(i, (byte) (b.get(i) ^ 0x04));
                    }
                    afterAccept += b.remaining();
                }
                write(toTarget, b);
            }
            closeBoth();
            back.join(5000);
        } catch (IOException | InterruptedException e) {
            closeBoth();
        }
    }

    private void copyBack() {
        ByteBuffer b = ByteBuffer.allocate(64 << 10);
        try {
            while (toTarget.read(b.clear()) > 0) {
                accepted.set(true);
                b.flip();
                write(fromSource, b);
            }
        } catch (IOException e) {
            // one side went away
        }
        closeBoth();
    }

    private static void write(SocketChannel c, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            c.write(b);
        }
    }

    private void closeBoth() {
        for (SocketChannel c : new SocketChannel[] {fromSource, toTarget}) {
            if (c != null) {
                try {
                    c.close();
                } catch (IOException ignored) {
                    // already closed
                }
            }
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        closeBoth();
        server.close();
        thread.join(5000);
        Files.deleteIfExists(listen);
    }
}
