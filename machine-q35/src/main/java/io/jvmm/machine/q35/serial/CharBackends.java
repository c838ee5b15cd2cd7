package io.jvmm.machine.q35.serial;

import io.jvmm.spi.config.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parses a serial backend spec as QEMU's {@code -serial} takes it and opens it: {@code stdio},
 * {@code null}, {@code file:PATH}, {@code unix:PATH[,server=on|off][,wait=on|off]} ({@code none}
 * means no port at all, handled by the caller).
 */
public final class CharBackends {
    private static final Logger LOG = LoggerFactory.getLogger(CharBackends.class);

    private CharBackends() {
    }

    public static CharBackend open(String spec) {
        if (spec.equals("stdio")) {
            return new Stdio();
        }
        if (spec.equals("null")) {
            return new Null();
        }
        if (spec.startsWith("file:")) {
            String path = spec.substring(5);
            if (path.isEmpty()) {
                throw new ConfigException("serial: file: needs a path (file:/tmp/serial.log)");
            }
            try {
                return new FileOut(Path.of(path));
            } catch (IOException e) {
                throw new ConfigException("serial: cannot open " + path + " for writing: " + e.getMessage(), e);
            }
        }
        if (spec.startsWith("unix:")) {
            return UnixSocket.parse(spec.substring(5));
        }
        throw new ConfigException("serial: unknown backend '" + spec + "'; use stdio, null, file:PATH or unix:PATH[,server=on,wait=off]");
    }

    /** The process's standard output and input (input read by a daemon thread). */
    static final class Stdio implements CharBackend {
        private Thread reader;

        @Override
        public void write(byte[] data, int off, int len) {
            System.out.write(data, off, len);
            System.out.flush();
        }

        @Override
        public void start(Receiver receiver) {
            reader = pump("serial-stdin", System.in, receiver);
        }

        @Override
        public String describe() {
            return "stdio";
        }

        @Override
        public void close() {
            if (reader != null) {
                reader.interrupt();
            }
        }
    }

    static final class Null implements CharBackend {
        @Override
        public void write(byte[] data, int off, int len) {
        }

        @Override
        public String describe() {
            return "null";
        }

        @Override
        public void close() {
        }
    }

    /** Output to a file, truncated on open as QEMU's file chardev does; no input. */
    static final class FileOut implements CharBackend {
        private final Path path;
        private final OutputStream out;

        FileOut(Path path) throws IOException {
            this.path = path;
            this.out = Files.newOutputStream(path);
        }

        @Override
        public synchronized void write(byte[] data, int off, int len) {
            try {
                out.write(data, off, len);
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException("serial file " + path, e);
            }
        }

        @Override
        public String describe() {
            return "file:" + path;
        }

        @Override
        public synchronized void close() {
            try {
                out.close();
            } catch (IOException e) {
                LOG.warn("serial: closing {}: {}", path, e.getMessage());
            }
        }
    }

    /**
     * A UNIX stream socket: as client (default) connects at start; as server listens and takes one
     * client at a time. Output while nobody is connected is dropped, as QEMU does.
     */
    static final class UnixSocket implements CharBackend {
        private final Path path;
        private final boolean server;
        private final boolean waitForClient;
        private volatile SocketChannel peer;
        private ServerSocketChannel listener;
        private Thread thread;

        private UnixSocket(Path path, boolean server, boolean waitForClient) {
            this.path = path;
            this.server = server;
            this.waitForClient = waitForClient;
        }

        static UnixSocket parse(String rest) {
            String[] parts = rest.split(",");
            if (parts[0].isEmpty()) {
                throw new ConfigException("serial: unix: needs a socket path");
            }
            boolean server = false;
            boolean wait = true;
            for (int i = 1; i < parts.length; i++) {
                String[] kv = parts[i].split("=", 2);
                boolean on = kv.length == 1 || switch (kv[1]) {
                    case "on", "yes", "true" -> true;
                    case "off", "no", "false" -> false;
                    default -> throw new ConfigException("serial: " + kv[0] + "=" + kv[1] + " is not on/off");
                };
                switch (kv[0]) {
                    case "server" -> server = on;
                    case "wait" -> wait = on;
                    default -> throw new ConfigException("serial: unknown option '" + kv[0] + "' for unix: (server, wait)");
                }
            }
            UnixSocket s = new UnixSocket(Path.of(parts[0]), server, wait);
            s.open();
            return s;
        }

        private void open() {
            try {
                if (server) {
                    Files.deleteIfExists(path);
                    listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                    listener.bind(UnixDomainSocketAddress.of(path));
                    // the machine has no close hook in the SPI yet: make sure the socket file goes at exit
                    path.toFile().deleteOnExit();
                    if (waitForClient) {
                        LOG.info("serial: waiting for a client on {}", path);
                        peer = listener.accept();
                    }
                } else {
                    peer = SocketChannel.open(UnixDomainSocketAddress.of(path));
                }
            } catch (IOException e) {
                throw new ConfigException("serial: unix:" + path + ": " + e.getMessage()
                        + (server ? "" : " (is something listening there? add ,server=on to listen instead)"), e);
            }
        }

        @Override
        public void write(byte[] data, int off, int len) {
            SocketChannel p = peer;
            if (p == null) {
                return;
            }
            try {
                ByteBuffer b = ByteBuffer.wrap(data, off, len);
                while (b.hasRemaining()) {
                    p.write(b);
                }
            } catch (IOException e) {
                LOG.info("serial: unix:{} peer went away: {}", path, e.getMessage());
                peer = null;
            }
        }

        @Override
        public void start(Receiver receiver) {
            thread = Thread.ofPlatform().daemon().name("serial-unix").start(() -> {
                try {
                    while (!Thread.currentThread().isInterrupted()) {
                        SocketChannel p = peer;
                        if (p == null) {
                            if (listener == null) {
                                return;
                            }
                            p = listener.accept();
                            peer = p;
                        }
                        InputStream in = Channels.newInputStream(p);
                        int b;
                        while ((b = in.read()) >= 0) {
                            receiver.receive(b);
                        }
                        peer = null;
                        if (listener == null) {
                            return;
                        }
                    }
                } catch (IOException e) {
                    LOG.debug("serial: unix:{} reader ended: {}", path, e.getMessage());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }

        @Override
        public String describe() {
            return "unix:" + path + (server ? ",server=on" : "");
        }

        @Override
        public void close() {
            try {
                if (thread != null) {
                    thread.interrupt();
                }
                Optional.ofNullable(peer).ifPresent(p -> {
                    try {
                        p.close();
                    } catch (IOException e) {
                        // already gone
                    }
                });
                if (listener != null) {
                    listener.close();
                    Files.deleteIfExists(path);
                }
            } catch (IOException e) {
                LOG.warn("serial: closing unix:{}: {}", path, e.getMessage());
            }
        }
    }

    private static Thread pump(String name, InputStream in, CharBackend.Receiver receiver) {
        return Thread.ofPlatform().daemon().name(name).start(() -> {
            try {
                int b;
                while ((b = in.read()) >= 0) {
                    receiver.receive(b);
                }
            } catch (IOException e) {
                LOG.debug("{} ended: {}", name, e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }
}
