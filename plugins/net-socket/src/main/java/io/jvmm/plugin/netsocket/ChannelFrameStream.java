package io.jvmm.plugin.netsocket;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/** A TCP or UNIX stream the JDK opened (listen= and connect=). */
final class ChannelFrameStream implements FrameStream {
    private final SocketChannel channel;

    ChannelFrameStream(SocketChannel channel) throws IOException {
        channel.configureBlocking(true);
        this.channel = channel;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return channel.read(dst);
    }

    @Override
    public void writeFully(ByteBuffer src) throws IOException {
        while (src.hasRemaining()) {
            channel.write(src);
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing a socket only fails if it already is
        }
    }

    @Override
    public String toString() {
        try {
            return String.valueOf(channel.getRemoteAddress());
        } catch (IOException e) {
            return "closed";
        }
    }
}
