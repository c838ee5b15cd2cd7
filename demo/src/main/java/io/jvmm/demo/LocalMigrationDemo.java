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

    /** Warnings and errors the VMMs logged, by VM, in the order they were collected. */
    private final List<String> vmWarnings = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * Everything the run measured.
     *
     * @param vmWarnings what the VMMs logged at WARN or ERROR ("vm-B: ..."); complete once {@link #run()} returned
     */
    public record Report(List<RoundResult> rounds, UdpEchoStream.Stats stream, long guestAnswered, int queues,
            int tapQueueLength, long[] warmUp, List<RoundResult.Loss> lossByRound, List<String> vmWarnings) {
        public boolean allCompleted() {
            return rounds.stream().allMatch(r -> "completed".equals(r.status()));
        }
    }

    public Report run() throws Exception {
        List<RoundResult> results = new ArrayList<>();
        status.accept("creating network namespace with a " + opts.queues() + "-queue tap (txqueuelen "
                + opts.tapQueueLength() + ")");
        try (DemoNetwork net = DemoNetwork.create(opts.queues() > 1, opts.tapQueueLength())) {
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
                    long targetStart = System.nanoTime();
                    long[] droppedAtStart = {net.tapDropped(), guest.dropped(), net.hostReceiveDropped()};
                    DemoVm target = DemoVm.start("vm-" + next, net, opts, true, local);
                    started.add(target);
                    live.add(0, target);
                    RoundResult r = migrate(round, total, current, target, guest, stream, net, local, targetStart,
                            droppedAtStart);
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
                List<RoundResult.Loss> loss = new ArrayList<>();
                for (RoundResult r : results) {
                    RoundResult.Phases p = r.phases();
                    if (p != null && log.isDebugEnabled()) {
                        log.debug("{} -> {}: {}", r.from(), r.to(), lossTimeline(stream, p));
                    }
                    loss.add(p == null ? null : new RoundResult.Loss(stream.lostSentBetween(p.targetStart(), p.migrate()),
                            stream.lostSentBetween(p.migrate(), p.stop()), stream.lostSentBetween(p.stop(), p.resume()),
                            stream.lostSentBetween(p.resume(), p.end()), stream.refusedSentBetween(p.targetStart(), p.end())));
                }
                return new Report(results, stream.stats(), guest.answered(), opts.queues(), net.tapQueueLength(),
                        stream.warmUp(), loss, vmWarnings);
            } finally {
                for (DemoVm vm : started) {
                    if (vm.alive()) {
                        collectWarnings(vm); // the ones that quit were collected then
                    }
                    vm.close();
                    live.remove(vm);
                }
            }
        } finally {
            live.clear();
        }
    }

    /** Keeps what a VMM logged at WARN or ERROR: a loss or a failure is often explained there. */
    private void collectWarnings(DemoVm vm) {
        vm.stderr().lines().filter(l -> l.contains("WARN") || l.contains("ERROR"))
                .forEach(l -> vmWarnings.add(vm.name() + ": " + l));
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
            UdpEchoStream stream, DemoNetwork net, boolean local, long targetStart, long[] droppedAtStart)
            throws Exception {
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
        // the VMMs stamp events with the wall clock; this maps them onto this JVM's nanoTime
        long nanosMinusWallMicros = t0 - sentAtMicros * 1000;
        source.qmp("migrate", Json.object().put("uri", uri));
        JsonNode info = null;
        String st = "setup";
        long lastShown = 0;
        long stopMicros = -1;
        long resumeMicros = -1;
        // The guest's "vCPU" follows the VM: it stops at the source's STOP and runs again at the
        // target's RESUME (or at the source's own RESUME if the migration fails and rolls back).
        while (true) {
            long now = System.nanoTime();
            if (stopMicros < 0) {
                var stop = source.pollEventMicros("STOP");
                if (stop.isPresent()) {
                    stopMicros = stop.getAsLong();
                    guest.pause();
                }
            }
            if (stopMicros >= 0 && resumeMicros < 0) {
                var resume = target.pollEventMicros("RESUME");
                if (resume.isPresent()) {
                    resumeMicros = resume.getAsLong();
                    guest.resumeOn(target);
                }
            }
            boolean finished = st.equals("completed") || st.equals("failed") || st.equals("cancelled");
            if (!finished) {
                info = source.qmp("query-migrate", null);
                st = info.path("status").asText("none");
                finished = st.equals("completed") || st.equals("failed") || st.equals("cancelled");
            }
            if (finished && (!st.equals("completed") || resumeMicros >= 0)) {
                break;
            }
            if (now - lastShown > 100_000_000L) {
                lastShown = now;
                JsonNode ram = info.path("ram");
                status.accept(String.format("round %d/%d: %s -> %s %s: RAM %d/%d MiB; UDP %d sent, %d echoed",
                        round, total, source.name(), target.name(), st, ram.path("transferred").asLong() >> 20,
                        ram.path("total").asLong() >> 20, stream.sent(), stream.echoed()));
            }
            if (now - t0 > 60_000_000_000L) {
                resumeOnSourceIfPaused(guest, source, stopMicros, resumeMicros);
                return failed(source, target, "timed out waiting for the migration (status " + st
                        + (st.equals("completed") ? ", no RESUME from the target" : "") + ")", queuesBefore, local);
            }
            Thread.sleep(0, 200_000);
        }
        if (!st.equals("completed")) {
            resumeOnSourceIfPaused(guest, source, stopMicros, resumeMicros);
            return failed(source, target, info.path("error-desc").asText(st), queuesBefore, local);
        }
        log.debug("{} -> {}: setup-time {} ms, x-setup {}, x-switchover {}", source.name(), target.name(),
                info.path("setup-time"), info.path("x-setup"), info.path("x-switchover"));
        if (log.isDebugEnabled()) {
            // the target logs its load time per section once it runs (after the RESUME, so no downtime)
            Thread.sleep(50);
            target.stderr().lines().filter(l -> l.contains("incoming migration completed"))
                    .forEach(l -> log.debug("{}: {}", target.name(), l));
        }
        double switchover = (resumeMicros - stopMicros) / 1000.0;
        double migrateMs = (resumeMicros - sentAtMicros) / 1000.0;
        double downtime = info.path("downtime").asDouble(Double.NaN);
        // keep the stopped source alive a moment, as the seed's test does, then quit it
        Thread.sleep(300);
        int exit = source.quit();
        if (exit != 0) {
            log.warn("{} exited with status {}", source.name(), exit);
        }
        collectWarnings(source);
        Thread.sleep(200);
        long end = System.nanoTime();
        int queuesAfter = net.tapQueues();
        double gap = stream.takeWindowGapMillis();
        status.accept(String.format("round %d/%d: %s -> %s completed, switchover %.2f ms, largest gap %.1f ms",
                round, total, source.name(), target.name(), switchover, gap));
        return new RoundResult(source.name(), target.name(), local, st, switchover, migrateMs, downtime, gap,
                queuesBefore, queuesAfter, stream.sent() - sentBefore, stream.echoed() - echoedBefore, null,
                net.tapDropped() - droppedAtStart[0], guest.dropped() - droppedAtStart[1],
                net.hostReceiveDropped() - droppedAtStart[2], new RoundResult.Phases(targetStart, t0, stopMicros * 1000 + nanosMinusWallMicros,
                        resumeMicros * 1000 + nanosMinusWallMicros, end));
    }

    /**
     * Losses and the largest echo latency in 25 ms steps by send time, counted from {@code migrate}
     * (steps with neither loss nor latency above 20 ms are left out).
     */
    private static String lossTimeline(UdpEchoStream stream, RoundResult.Phases p) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT,
                "ms after migrate: STOP at %d, RESUME at %d; by send time in 25 ms steps, lost/largest echo latency:",
                (p.stop() - p.migrate()) / 1_000_000, (p.resume() - p.migrate()) / 1_000_000));
        for (long t = p.targetStart(); t < p.end(); t += 25_000_000L) {
            long lost = stream.lostSentBetween(t, t + 25_000_000L);
            double latency = stream.maxLatencyMillisSentBetween(t, t + 25_000_000L);
            if (lost > 0 || latency > 20) {
                b.append(String.format(Locale.ROOT, " %d:%d/%.0fms", (t - p.migrate()) / 1_000_000, lost, latency));
            }
        }
        return b.toString();
    }

    /** A failed migration resumes the source (if it had stopped); so does the guest, on the source. */
    private static void resumeOnSourceIfPaused(MigratingGuest guest, DemoVm source, long stopMicros, long resumeMicros) {
        if (stopMicros >= 0 && resumeMicros < 0) {
            guest.resumeOn(source);
        }
    }

    private RoundResult failed(DemoVm source, DemoVm target, String why, int queuesBefore, boolean local) {
        return new RoundResult(source.name(), target.name(), local, "failed", 0, 0, 0, 0, queuesBefore, queuesBefore,
                0, 0, why + " (source status: " + safeStatus(source) + ")", 0, 0, 0, null);
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
                + " (switchover: source STOP to target RESUME; tap txqueuelen " + r.tapQueueLength() + " frames per queue)");
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
        if (r.lossByRound() != null && r.rounds().size() == r.lossByRound().size()) {
            out.println();
            out.println("Packets lost, by when they were sent:");
            out.printf(Locale.ROOT, "| %-14s | %15s | %13s | %10s | %10s | %11s | %13s | %12s | %12s |%n", "round",
                    "target start-up", "migrate setup", "switchover", "after", "tap dropped", "guest dropped",
                    "host refused", "host dropped");
            out.println("|----------------|-----------------|---------------|------------|------------|-------------|"
                    + "---------------|--------------|--------------|");
            for (int i = 0; i < r.rounds().size(); i++) {
                RoundResult x = r.rounds().get(i);
                RoundResult.Loss l = r.lossByRound().get(i);
                if (l != null) {
                    out.printf(Locale.ROOT, "| %-14s | %15d | %13d | %10d | %10d | %11d | %13d | %12d | %12d |%n",
                            x.from() + " -> " + x.to(), l.targetStartUp(), l.setup(), l.switchover(), l.after(),
                            x.tapDropped(), x.guestDropped(), l.hostRefused(), x.hostReceiveDropped());
                }
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
        if (r.vmWarnings() != null && !r.vmWarnings().isEmpty()) {
            out.println();
            out.println("The VMMs warned:");
            r.vmWarnings().forEach(w -> out.println("  " + w));
        }
    }
}
