package io.jvmm.demo;

import com.fasterxml.jackson.databind.JsonNode;
import io.jvmm.ctl.Json;
import io.jvmm.testkit.host.UdpEchoStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scenario behind {@code ./jvmm demo} and the end-to-end tests: a guest answering a UDP
 * stream while its VM moves from one jvmm process to the next, the source handing its open tap
 * queues to the target. Steps, in order: namespace and multi-queue tap; source VM; guest up; UDP
 * stream; then per round a target with {@code incoming-fds}, the seed's QMP sequence, the guest's
 * link moved to the target, the source quit; finally the stream drained and counted.
 */
public final class LocalMigrationDemo {
    private static final Logger log = LoggerFactory.getLogger(LocalMigrationDemo.class);

    private final DemoOptions opts;
    private final Consumer<String> status;
    /** What {@link #abort()} must release if the run is interrupted (Ctrl-C runs shutdown hooks, not finally). */
    private final List<AutoCloseable> live = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** @param status receives one-line progress updates (the CLI shows them live) */
    public LocalMigrationDemo(DemoOptions opts, Consumer<String> status) {
        this.opts = opts;
        this.status = status;
    }

    /** Everything the run measured. */
    public record Report(List<RoundResult> rounds, UdpEchoStream.Stats stream, long guestAnswered, int queues,
            long[] warmUp) {
        public boolean allCompleted() {
            return rounds.stream().allMatch(r -> "completed".equals(r.status()));
        }
    }

    public Report run() throws Exception {
        List<RoundResult> results = new ArrayList<>();
        status.accept("creating network namespace with a " + opts.queues() + "-queue tap");
        try (DemoNetwork net = DemoNetwork.create(opts.queues() > 1)) {
            live.add(net);
            char name = 'A';
            status.accept("starting source VM " + name);
            DemoVm current = DemoVm.start("vm-" + name, net, opts, false, true);
            List<DemoVm> started = new ArrayList<>(List.of(current));
            live.add(0, current);
            try (MigratingGuest guest = MigratingGuest.bringUp(current, net.ramFile(), (long) opts.memoryMib() << 20,
                    opts.queues(), InetAddress.getByName(DemoNetwork.GUEST_IP).getAddress());
                    UdpEchoStream stream = new UdpEchoStream(net.namespace(),
                            new InetSocketAddress(DemoNetwork.GUEST_IP, DemoNetwork.ECHO_PORT), opts.flows(),
                            opts.rate(), opts.payload())) {
                stream.start();
                warmUp(stream, guest);
                int total = opts.rounds() + (opts.oldWay() ? 1 : 0);
                for (int round = 1; round <= total; round++) {
                    boolean local = !opts.ordinaryOnly() && round <= opts.rounds();
                    char next = (char) (name + 1);
                    status.accept(String.format("round %d/%d: starting target VM %s%s", round, total, next,
                            local ? " (incoming-fds=on)" : " (old way: opens its own tap queues)"));
                    DemoVm target = DemoVm.start("vm-" + next, net, opts, true, local);
                    started.add(target);
                    live.add(0, target);
                    RoundResult r = migrate(round, total, current, target, guest, stream, net, local);
                    results.add(r);
                    if (!"completed".equals(r.status())) {
                        break;
                    }
                    current = target;
                    name = next;
                }
                status.accept("draining the UDP stream");
                stream.stopSending();
                stream.drain(1500);
                return new Report(results, stream.stats(), guest.answered(), opts.queues(), stream.warmUp());
            } finally {
                for (DemoVm vm : started) {
                    vm.close();
                    live.remove(vm);
                }
            }
        } finally {
            live.clear();
        }
    }

    /** Kills every VM this run started and removes the namespace, tap and RAM file (Ctrl-C). */
    public void abort() {
        for (AutoCloseable c : live) {
            try {
                c.close();
            } catch (Exception e) {
                log.debug("cleanup: {}", e.toString());
            }
        }
        live.clear();
    }

    private void warmUp(UdpEchoStream stream, MigratingGuest guest) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (stream.echoed() < Math.min(1000, opts.rate() / 2)) {
            if (System.nanoTime() > deadline || guest.failure() != null) {
                throw new IllegalStateException("the guest does not answer the UDP stream (sent " + stream.sent()
                        + ", echoed " + stream.echoed() + ")" + (guest.failure() != null ? ": " + guest.failure() : ""));
            }
            Thread.sleep(20);
        }
        // Wait for the steady state: one second in which every packet came back (both VMMs' JIT is
        // warm), then count from there; what was lost while the guest came up is reported apart.
        long steadyDeadline = System.nanoTime() + 20_000_000_000L;
        while (true) {
            long s0 = stream.sent();
            long e0 = stream.echoed();
            Thread.sleep(1000);
            long sent = stream.sent() - s0;
            long echoed = stream.echoed() - e0;
            if (echoed >= sent * 0.999 || System.nanoTime() > steadyDeadline) {
                status.accept(String.format("traffic flowing: %d of %d echoed in the last second", echoed, sent));
                break;
            }
            status.accept(String.format("warming up: %d of %d echoed in the last second", echoed, sent));
        }
        stream.markBaseline();
    }

    private RoundResult migrate(int round, int total, DemoVm source, DemoVm target, MigratingGuest guest,
            UdpEchoStream stream, DemoNetwork net, boolean local) throws Exception {
        String uri = "unix:" + target.dir().resolve("migration.sock");
        source.configureMigration(local);
        target.configureMigration(local);
        target.qmp("migrate-incoming", Json.object().put("uri", uri));
        int queuesBefore = net.tapQueues();
        source.clearEvents();
        target.clearEvents();
        stream.takeWindowGapMillis();
        long sentBefore = stream.sent();
        long echoedBefore = stream.echoed();
        java.time.Instant sentAt = java.time.Instant.now();
        long sentAtMicros = sentAt.getEpochSecond() * 1_000_000L + sentAt.getNano() / 1000;
        long t0 = System.nanoTime();
        source.qmp("migrate", Json.object().put("uri", uri));
        JsonNode info;
        String st;
        long lastShown = 0;
        while (true) {
            info = source.qmp("query-migrate", null);
            st = info.path("status").asText("none");
            if (st.equals("completed") || st.equals("failed") || st.equals("cancelled")) {
                break;
            }
            long now = System.nanoTime();
            if (now - lastShown > 100_000_000L) {
                lastShown = now;
                JsonNode ram = info.path("ram");
                status.accept(String.format("round %d/%d: %s -> %s %s: RAM %d/%d MiB; UDP %d sent, %d echoed",
                        round, total, source.name(), target.name(), st, ram.path("transferred").asLong() >> 20,
                        ram.path("total").asLong() >> 20, stream.sent(), stream.echoed()));
            }
            if (now - t0 > 60_000_000_000L) {
                return failed(source, target, "timed out waiting for the migration (status " + st + ")", queuesBefore, local);
            }
            Thread.sleep(1);
        }
        if (!st.equals("completed")) {
            return failed(source, target, info.path("error-desc").asText(st), queuesBefore, local);
        }
        guest.moveTo(target);
        long stopMicros = source.awaitEventMicros("STOP", java.time.Duration.ofSeconds(10));
        long resumeMicros = target.awaitEventMicros("RESUME", java.time.Duration.ofSeconds(10));
        double switchover = (resumeMicros - stopMicros) / 1000.0;
        double migrateMs = (resumeMicros - sentAtMicros) / 1000.0;
        double downtime = info.path("downtime").asDouble(Double.NaN);
        // keep the stopped source alive a moment, as the seed's test does, then quit it
        Thread.sleep(300);
        int exit = source.quit();
        if (exit != 0) {
            log.warn("{} exited with status {}", source.name(), exit);
        }
        Thread.sleep(200);
        int queuesAfter = net.tapQueues();
        double gap = stream.takeWindowGapMillis();
        status.accept(String.format("round %d/%d: %s -> %s completed, switchover %.2f ms, largest gap %.1f ms",
                round, total, source.name(), target.name(), switchover, gap));
        return new RoundResult(source.name(), target.name(), local, st, switchover, migrateMs, downtime, gap,
                queuesBefore, queuesAfter, stream.sent() - sentBefore, stream.echoed() - echoedBefore, null);
    }

    private RoundResult failed(DemoVm source, DemoVm target, String why, int queuesBefore, boolean local) {
        return new RoundResult(source.name(), target.name(), local, "failed", 0, 0, 0, 0, queuesBefore, queuesBefore,
                0, 0, why + " (source status: " + safeStatus(source) + ")");
    }

    private static String safeStatus(DemoVm vm) {
        try {
            return vm.status();
        } catch (RuntimeException e) {
            return "unreachable: " + e.getMessage();
        }
    }

    /** The summary table the CLI prints. */
    public static void printSummary(Report r, PrintStream out) {
        out.println();
        out.println("Migration of a " + r.queues() + "-queue TAP-backed virtio-net NIC under UDP load"
                + " (switchover: source STOP to target RESUME)");
        out.println();
        out.printf(Locale.ROOT, "| %-14s | %-5s | %-9s | %13s | %13s | %11s | %14s | %14s |%n", "round", "local",
                "status", "switchover ms", "migrate ms", "downtime ms", "largest gap ms", "tap queues b/a");
        out.println("|----------------|-------|-----------|---------------|---------------|-------------|"
                + "----------------|----------------|");
        for (RoundResult x : r.rounds()) {
            out.printf(Locale.ROOT, "| %-14s | %-5s | %-9s | %13.2f | %13.1f | %11.0f | %14.1f | %14s |%n",
                    x.from() + " -> " + x.to(), x.local() ? "yes" : "no", x.status(), x.switchoverMillis(),
                    x.migrateMillis(), x.downtimeMillis(), x.largestGapMillis(),
                    x.tapQueuesBefore() + " / " + x.tapQueuesAfter());
            if (x.error() != null) {
                out.println("  error: " + x.error());
            }
        }
        UdpEchoStream.Stats s = r.stream();
        out.println();
        if (r.warmUp() != null) {
            out.printf(Locale.ROOT, "Warm-up (guest coming up, not counted below): %d sent, %d echoed%n", r.warmUp()[0],
                    r.warmUp()[1]);
        }
        out.printf(Locale.ROOT, "UDP stream: %d packets/s over %d flows; sent %d, echoed %d, lost %d, duplicates %d,"
                + " largest gap %.1f ms%n", s.rate(), s.flows(), s.sent(), s.echoed(), s.lost(), s.duplicates(),
                s.largestGapMillis());
    }
}
