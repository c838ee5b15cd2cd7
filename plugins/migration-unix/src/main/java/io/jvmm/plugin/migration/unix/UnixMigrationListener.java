package io.jvmm.plugin.migration.unix;

import io.jvmm.spi.migration.MigrationChannel;
import io.jvmm.spi.migration.MigrationListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocket;

/** Accepts one source; closing it removes the socket file it created. */
final class UnixMigrationListener implements MigrationListener {
    private final AFUNIXServerSocket server;
    private final Path path;
    private boolean closed;

    UnixMigrationListener(AFUNIXServerSocket server, Path path) {
        this.server = server;
        this.path = path;
    }

    @Override
    public MigrationChannel accept() throws IOException {
        // while no source is connected yet, so that receiving descriptors after its stop runs warm code
        DescriptorPathWarmup.run();
        AFUNIXSocket s = server.accept();
        return new UnixMigrationChannel(s);
    }

    @Override
    public String address() {
        return path.toString();
    }

    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            server.close();
        } finally {
            Files.deleteIfExists(path);
        }
    }
}
