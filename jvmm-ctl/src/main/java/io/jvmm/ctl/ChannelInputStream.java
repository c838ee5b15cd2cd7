package io.jvmm.ctl;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * Reads straight from the channel. Not {@code Channels.newInputStream}: that stream may hold the channel's
 * blocking lock while it waits, which would block the other thread's writes of commands.
 */
final class ChannelInputStream extends InputStream {
    private final ReadableByteChannel channel;

    ChannelInputStream(ReadableByteChannel channel) {
        this.channel = channel;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        return channel.read(ByteBuffer.wrap(b, off, len));
    }
}
