package io.jvmm.plugin.migration.unix;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.FileDescriptorCast;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Passes a descriptor through a private pair of {@link UnixMigrationChannel}s before a migration
 * starts, so that the switchover does not pay for the first run of the descriptor path: the first
 * SCM_RIGHTS receive makes junixsocket load and initialise its ancillary-data and address classes,
 * and {@link UnixNative} builds its FFM downcall stubs; measured at 150-200 ms on a loaded 2-core
 * machine, all of it downtime when it happens while the guest is stopped. Runs on the migration's
 * own thread before the handshake (source: before connecting; target: before accepting), so it
 * costs setup time only. A failure here is logged and ignored: the real path reports its own.
 */
final class DescriptorPathWarmup {
    private static final Logger log = LoggerFactory.getLogger(DescriptorPathWarmup.class);
    /** After the first round (class loading), a few more let the interpreter profile the path. */
    private static final int ROUNDS = 20;

    private DescriptorPathWarmup() {
    }

    static void run() {
        long t0 = System.nanoTime();
        Path dir = null;
        try {
            dir = Files.createTempDirectory("jvmm-fd-warmup");
            Path sock = dir.resolve("s");
            try (AFUNIXServerSocket server = AFUNIXServerSocket.newInstance()) {
                server.bind(AFUNIXSocketAddress.of(sock.toFile()), 1);
                try (AFUNIXSocket client = AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(sock.toFile()));
                        AFUNIXSocket peer = server.accept();
                        FileInputStream devNull = new FileInputStream("/dev/null")) {
                    UnixMigrationChannel sender = new UnixMigrationChannel(client);
                    UnixMigrationChannel receiver = new UnixMigrationChannel(peer);
                    int fd = FileDescriptorCast.using(devNull.getFD()).as(Integer.class);
                    exchange(sender, receiver, fd);
                    sender.close();
                    receiver.close();
                }
            }
            log.debug("descriptor path warmed in {} us", (System.nanoTime() - t0) / 1000);
        } catch (IOException | RuntimeException e) {
            log.debug("descriptor path warm-up failed (the migration reports its own errors): {}", e.toString());
        } finally {
            if (dir != null) {
                try {
                    Files.deleteIfExists(dir.resolve("s"));
                    Files.deleteIfExists(dir);
                } catch (IOException e) {
                    log.debug("removing {}: {}", dir, e.toString());
                }
            }
        }
    }

    /** Bytes, then descriptors on their markers, then bytes again: the shape of a SECTION with descriptors. */
    private static void exchange(UnixMigrationChannel sender, UnixMigrationChannel receiver, int fd) throws IOException {
        OutputStream out = sender.output();
        InputStream in = receiver.input();
        byte[] record = new byte[64];
        byte[] got = new byte[record.length];
        for (int round = 0; round < ROUNDS; round++) {
            out.write(record);
            sender.sendDescriptors(new int[] {fd, fd});
            out.write(record);
            out.flush();
            readFully(in, got);
            for (int received : receiver.receiveDescriptors(2)) {
                UnixNative.close(received);
            }
            readFully(in, got);
        }
    }

    private static void readFully(InputStream in, byte[] b) throws IOException {
        int n = 0;
        while (n < b.length) {
            int r = in.read(b, n, b.length - n);
            if (r < 0) {
                throw new IOException("warm-up socket closed early");
            }
            n += r;
        }
    }
}
