package io.jvmm.core.migration;

import io.jvmm.spi.migration.MigrationChannel;
import io.jvmm.spi.migration.MigrationListener;
import io.jvmm.spi.migration.MigrationTransport;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * Ordinary migration over TCP ({@code tcp:HOST:PORT}, IPv6 as {@code tcp:[::1]:PORT}). Built into
 * the core so that a VM migrates without any plugin; it carries no descriptors, so local
 * migration refuses it.
 */
public final class TcpMigrationTransport implements MigrationTransport {

    @Override
    public String name() {
        return "tcp";
    }

    @Override
    public String description() {
        return "migration over TCP (tcp:HOST:PORT); no descriptor passing";
    }

    @Override
    public boolean carriesDescriptors() {
        return false;
    }

    @Override
    public MigrationChannel connect(String address) throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(parse(address, false), 10_000);
        } catch (IOException e) {
            s.close();
            throw new IOException("cannot connect to tcp:" + address + ": " + e.getMessage(), e);
        }
        return new TcpChannel(s);
    }

    @Override
    public MigrationListener listen(String address) throws IOException {
        ServerSocket server = new ServerSocket();
        try {
            server.setReuseAddress(true);
            server.bind(parse(address, true), 1);
        } catch (IOException e) {
            server.close();
            throw new IOException("cannot listen on tcp:" + address + ": " + e.getMessage(), e);
        }
        return new MigrationListener() {
            @Override
            public MigrationChannel accept() throws IOException {
                Socket s = server.accept();
                s.setTcpNoDelay(true);
                return new TcpChannel(s);
            }

            @Override
            public String address() {
                return server.getInetAddress().getHostAddress() + ":" + server.getLocalPort();
            }

            @Override
            public void close() throws IOException {
                server.close();
            }
        };
    }

    static InetSocketAddress parse(String address, boolean listening) {
        String host;
        String port;
        if (address.startsWith("[")) {
            int end = address.indexOf("]:");
            if (end < 0) {
                throw new IllegalArgumentException("bad tcp address '" + address + "': expected [IPV6]:PORT");
            }
            host = address.substring(1, end);
            port = address.substring(end + 2);
        } else {
            int colon = address.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("bad tcp address '" + address + "': expected HOST:PORT");
            }
            host = address.substring(0, colon);
            port = address.substring(colon + 1);
        }
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad tcp port '" + port + "' in '" + address + "'");
        }
        if (p < 0 || p > 65535 || (!listening && p == 0)) {
            throw new IllegalArgumentException("tcp port out of range in '" + address + "'");
        }
        return host.isEmpty() ? new InetSocketAddress(p) : new InetSocketAddress(host, p);
    }

    private static final class TcpChannel implements MigrationChannel {
        private final Socket socket;
        private final InputStream in;

        TcpChannel(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new BufferedInputStream(socket.getInputStream(), 256 << 10);
        }

        @Override
        public InputStream input() {
            return in;
        }

        @Override
        public OutputStream output() throws IOException {
            return socket.getOutputStream();
        }

        @Override
        public boolean carriesDescriptors() {
            return false;
        }

        @Override
        public void sendDescriptors(int[] fds) throws IOException {
            throw new IOException("a tcp migration channel cannot carry descriptors (use unix: with local=on)");
        }

        @Override
        public int[] receiveDescriptors(int count) throws IOException {
            throw new IOException("a tcp migration channel cannot carry descriptors");
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
