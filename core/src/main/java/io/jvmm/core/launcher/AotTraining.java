package io.jvmm.core.launcher;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The workload the build records into the AOT cache (bin/jvmm uses it when present): a QMP client
 * that talks to the VM being started the way a management tool does, then quits it. What runs here
 * starts faster afterwards: plugin loading, YAML, Guice, the VM, the QMP server.
 */
final class AotTraining {
    private AotTraining() {
    }

    /**
     * Connects once the server listens: the socket file appears at bind(), a moment before listen(),
     * and a connect in between is refused (seen in a CI build; the training VM then never got its
     * quit and the build waited for its timeout).
     */
    private static SocketChannel connect(Path socket) throws IOException, InterruptedException {
        for (int attempt = 0; ; attempt++) {
            SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                ch.connect(UnixDomainSocketAddress.of(socket));
                return ch;
            } catch (java.net.ConnectException e) {
                ch.close();
                if (attempt >= 500) {
                    throw e;
                }
                Thread.sleep(10);
            }
        }
    }

    /** Drives the VM behind {@code socket} once it appears; ends it with quit. */
    static Thread client(Path socket) {
        return Thread.ofPlatform().daemon().name("aot-training").start(() -> {
            try {
                for (int i = 0; i < 3000 && !Files.exists(socket); i++) {
                    Thread.sleep(10);
                }
                try (SocketChannel ch = connect(socket)) {
                    BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch),
                            StandardCharsets.UTF_8));
                    Writer out = Channels.newWriter(ch, StandardCharsets.UTF_8);
                    in.readLine();
                    for (String cmd : new String[] {"qmp_capabilities", "query-version", "query-status",
                            "query-commands", "stop", "cont", "quit"}) {
                        out.write("{\"execute\": \"" + cmd + "\"}\n");
                        out.flush();
                        String line;
                        do {
                            line = in.readLine();
                        } while (line != null && line.contains("\"event\""));
                    }
                }
            } catch (IOException | InterruptedException e) {
                System.err.println("jvmm: AOT training client: " + e);
            }
        });
    }
}
