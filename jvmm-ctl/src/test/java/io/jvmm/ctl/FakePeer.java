package io.jvmm.ctl;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** A UNIX-socket server for tests that plays a scripted peer: a well-behaved or a broken QMP server, or no QMP. */
final class FakePeer implements AutoCloseable {
    interface Script {
        void play(Connection connection) throws IOException, InterruptedException;
    }

    /** The accepted client, read line by line. */
    static final class Connection {
        private final SocketChannel channel;
        private final BufferedReader reader;

        Connection(SocketChannel channel) {
            this.channel = channel;
            this.reader = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel),
                    StandardCharsets.UTF_8));
        }

        void send(String text) throws IOException {
            ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
        }

        String receive() throws IOException {
            return reader.readLine();
        }

        /** Reads one command and returns its id as JSON text, to answer with. */
        String receiveId() throws IOException {
            return Json.compact(Json.parse(receive()).get("id"));
        }
    }

    private final ServerSocketChannel server;
    private final Thread thread;

    FakePeer(Path socket, Script script) throws IOException {
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        thread = Thread.ofPlatform().daemon().start(() -> {
            try (SocketChannel client = server.accept()) {
                script.play(new Connection(client));
            } catch (IOException | InterruptedException ignored) {
                // the test asserts on what the client saw
            }
        });
    }

    @Override
    public void close() throws IOException {
        server.close();
        thread.interrupt(); // a script waiting to keep the connection open ends now
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
