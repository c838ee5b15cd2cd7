package io.jvmm.plugin.netsocket;

import java.io.IOException;
import java.nio.ByteBuffer;

/** A connected byte stream to the peer (blocking). Reads and writes may be partial. */
interface FrameStream extends AutoCloseable {
    /** Reads into {@code dst} (a direct or heap buffer); -1 at end of stream. */
    int read(ByteBuffer dst) throws IOException;

    /** Writes all of {@code src}. */
    void writeFully(ByteBuffer src) throws IOException;

    @Override
    void close();
}
