package io.jvmm.plugin.netsocket;

import io.jvmm.spi.config.ConfigException;
import io.jvmm.spi.config.Properties;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Where a socket netdev's stream comes from: exactly one of {@code listen=}, {@code connect=} or
 * {@code fd=}. Addresses are QEMU's {@code [host]:port} for TCP; a value starting with
 * {@code unix:} (or containing a '/') is a UNIX socket path.
 */
public record SocketNetConfig(Optional<SocketAddress> listen, Optional<SocketAddress> connect, OptionalInt fd) {

    public static SocketNetConfig from(Properties p) {
        for (String unsupported : new String[] {"mcast", "udp", "localaddr"}) {
            if (p.has(unsupported)) {
                throw new ConfigException(unsupported + ": datagram sockets are not supported; use listen=, connect= or fd=");
            }
        }
        Optional<String> listen = p.optionalString("listen");
        Optional<String> connect = p.optionalString("connect");
        Optional<Long> fd = p.optionalInteger("fd");
        int given = (listen.isPresent() ? 1 : 0) + (connect.isPresent() ? 1 : 0) + (fd.isPresent() ? 1 : 0);
        if (given != 1) {
            throw new ConfigException("exactly one of listen=, connect= or fd= is required (got " + given + ")");
        }
        if (fd.isPresent() && (fd.get() < 0 || fd.get() > Integer.MAX_VALUE)) {
            throw new ConfigException("fd: " + fd.get() + " is not a descriptor number");
        }
        return new SocketNetConfig(listen.map(s -> parse("listen", s, true)), connect.map(s -> parse("connect", s, false)),
                fd.isPresent() ? OptionalInt.of(fd.get().intValue()) : OptionalInt.empty());
    }

    static SocketAddress parse(String key, String s, boolean listen) {
        if (s.startsWith("unix:") || s.contains("/")) {
            String path = s.startsWith("unix:") ? s.substring(5) : s;
            if (path.isEmpty()) {
                throw new ConfigException(key + ": empty UNIX socket path");
            }
            return UnixDomainSocketAddress.of(Path.of(path));
        }
        int colon = s.lastIndexOf(':');
        if (colon < 0) {
            throw new ConfigException(key + ": '" + s + "' is not [host]:port or unix:PATH");
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new ConfigException(key + ": port in '" + s + "' is not a number");
        }
        if (port < 0 || port > 65535 || (!listen && port == 0)) {
            throw new ConfigException(key + ": port " + port + " is out of range");
        }
        if (host.isEmpty()) {
            if (!listen) {
                throw new ConfigException(key + ": '" + s + "' needs a host");
            }
            return new InetSocketAddress(port);
        }
        return new InetSocketAddress(host, port);
    }
}
