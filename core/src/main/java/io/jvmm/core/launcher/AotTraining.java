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
import java.util.ArrayList;
import java.util.List;

/**
 * The workload the build records into the AOT cache (bin/jvmm uses it when present): a QMP client
 * that talks to the VM being started the way a management tool does, then quits it. What runs here
 * starts faster afterwards: plugin loading, YAML, Guice, the VM, the QMP server, and (when the VM is
 * {@link #TARGET_YAML}) the q35 machine, virtio-net with its data-path warm-up, the tap waiting for
 * descriptors and the migration listener, i.e. what a migration target does while its source runs.
 */
final class AotTraining {
    /**
     * A migration target like the seed's, which needs neither root nor a tap device: a tap with
     * incoming-fds=on opens nothing until descriptors arrive, and no accelerator runs a guest. %s: the
     * QMP socket.
     */
    static final String TARGET_YAML = """
            name: training
            machine: {type: q35, memory: 64M}
            netdevs:
              - {id: netdev.1, type: tap, queues: 4, incoming-fds: true}
            devices:
              - {type: pcie-pci-bridge, id: pci.1, bus: pcie.0}
              - {type: virtio-net-pci, id: vnet.1, netdev: netdev.1, bus: pci.1, mq: true, vectors: 10,
                 local-migration: true}
            qmp: [unix:%s]
            incoming: defer
            """;
    /** The same without plugins: what the launcher can always start. */
    static final String NONE_YAML = "name: training\nmachine: {type: none, memory: 4M}\nqmp: [unix:%s]\n";
    /** Time for the start-up's background warm-ups (virtio-net's data path) to run before quit. */
    private static final long WARM_UP_MILLIS = 2000;

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

    /**
     * Drives the VM behind {@code socket} once it appears; ends it with quit. With {@code incoming}
     * (a listening address) it also starts the incoming migration, as a management tool does on a
     * target, and leaves the warm-ups time to run.
     */
    static Thread client(Path socket, String incoming) {
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
                    List<String> commands = new ArrayList<>(List.of(
                            execute("qmp_capabilities"), execute("query-version"), execute("query-status"),
                            execute("query-commands")));
                    if (incoming != null) {
                        commands.addAll(List.of(
                                "{\"execute\": \"migrate-set-parameters\", \"arguments\": {\"local\": true}}",
                                "{\"execute\": \"migrate-incoming\", \"arguments\": {\"uri\": \"" + incoming + "\"}}",
                                execute("query-migrate")));
                    } else {
                        commands.addAll(List.of(execute("stop"), execute("cont")));
                    }
                    for (String cmd : commands) {
                        call(in, out, cmd);
                    }
                    if (incoming != null) {
                        Thread.sleep(WARM_UP_MILLIS);
                    }
                    call(in, out, execute("quit"));
                }
            } catch (IOException | InterruptedException e) {
                System.err.println("jvmm: AOT training client: " + e);
            }
        });
    }

    private static String execute(String command) {
        return "{\"execute\": \"" + command + "\"}";
    }

    /** Sends one request and reads up to its reply (events in between are skipped). */
    private static void call(BufferedReader in, Writer out, String request) throws IOException {
        out.write(request + "\n");
        out.flush();
        String line;
        do {
            line = in.readLine();
        } while (line != null && line.contains("\"event\""));
    }
}
