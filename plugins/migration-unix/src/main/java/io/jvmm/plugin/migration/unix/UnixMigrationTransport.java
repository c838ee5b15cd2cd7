package io.jvmm.plugin.migration.unix;

import io.jvmm.spi.migration.MigrationChannel;
import io.jvmm.spi.migration.MigrationListener;
import io.jvmm.spi.migration.MigrationTransport;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * {@code unix:PATH}: migration over a UNIX stream socket. Descriptors (tap queues, a memfd) travel
 * with SCM_RIGHTS, which is why local migration requires this transport.
 */
public final class UnixMigrationTransport implements MigrationTransport {

    @Override
    public String name() {
        return "unix";
    }

    @Override
    public String description() {
        return "migration over a UNIX socket (unix:PATH); passes descriptors for local migration";
    }

    @Override
    public boolean carriesDescriptors() {
        return true;
    }

    @Override
    public MigrationChannel connect(String address) throws IOException {
        Path path = path(address);
        // before the handshake, so that sending the descriptors after the stop runs warm code
        DescriptorPathWarmup.run();
        AFUNIXSocket socket;
        try {
            socket = AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(path.toFile()));
        } catch (IOException e) {
            throw new IOException("cannot connect to unix:" + path + ": " + e.getMessage(), e);
        }
        return new UnixMigrationChannel(socket);
    }

    @Override
    public MigrationListener listen(String address) throws IOException {
        Path path = path(address);
        removeStaleSocket(path);
        AFUNIXServerSocket server = AFUNIXServerSocket.newInstance();
        try {
            server.bind(AFUNIXSocketAddress.of(path.toFile()), 1);
        } catch (IOException e) {
            server.close();
            throw new IOException("cannot listen on unix:" + path + ": " + e.getMessage(), e);
        }
        return new UnixMigrationListener(server, path);
    }

    private static Path path(String address) {
        if (address == null || address.isEmpty()) {
            throw new IllegalArgumentException("unix: needs a socket path (unix:/run/vm.sock)");
        }
        // sun_path holds 108 bytes including the terminating NUL
        if (address.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 107) {
            throw new IllegalArgumentException("unix socket path longer than 107 bytes: " + address);
        }
        return Path.of(address);
    }

    /** As QEMU does: a socket file left by a dead listener is replaced; any other file is an error. */
    private static void removeStaleSocket(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!a.isOther()) {
            throw new IOException("cannot listen on unix:" + path + ": the path exists and is not a socket");
        }
        Files.delete(path);
    }

    static File file(Path p) {
        return p.toFile();
    }
}
