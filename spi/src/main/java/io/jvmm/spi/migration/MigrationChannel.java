package io.jvmm.spi.migration;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A connected migration stream. Bytes flow through {@link #input()} and {@link #output()};
 * descriptors, where the transport carries them, travel out of band at a point in the byte stream.
 */
public interface MigrationChannel extends AutoCloseable {

    InputStream input() throws IOException;

    OutputStream output() throws IOException;

    boolean carriesDescriptors();

    /**
     * Flushes pending output, then sends {@code fds} with a marker byte each, in order. The
     * descriptors stay open in this process.
     */
    void sendDescriptors(int[] fds) throws IOException;

    /**
     * Reads the marker bytes written by {@link #sendDescriptors} and returns the descriptors that
     * came with them, in order. The caller owns them. Fails if fewer arrived.
     */
    int[] receiveDescriptors(int count) throws IOException;

    @Override
    void close() throws IOException;
}
