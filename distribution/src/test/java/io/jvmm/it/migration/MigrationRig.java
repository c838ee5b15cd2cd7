package io.jvmm.it.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jvmm.it.support.JvmmProcess;
import io.jvmm.it.support.QmpClient;
import io.jvmm.testkit.QtestVm;
import io.jvmm.testkit.Requirements;
import io.jvmm.testkit.VmLauncher;
import io.jvmm.testkit.host.NetNamespace;
import io.jvmm.testkit.net.NetResponder;
import io.jvmm.testkit.net.VirtioNetDriver;
import io.jvmm.testkit.net.VirtioNetScenario;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * Two real jvmm processes in a network namespace with a multi-queue tap, and the testkit acting as
 * the guest (virtio-net driver and ARP/ICMP responder over qtest). The guest follows the VM from the
 * source to the target with {@code QtestClient.switchTo}. Everything is cleaned up on close, also
 * when a test fails.
 */
final class MigrationRig implements AutoCloseable {
    static final String GUEST = "10.78.0.2";
    static final byte[] GUEST_IP = {10, 78, 0, 2};
    static final String BRIDGE = "pcie-pci-bridge,id=pci.1,bus=pcie.0";
    /** The seed's source netdev and NIC (local-migration=on on the NIC, v16 style). */
    static final String SEED_TAP = "tap,id=netdev.1,ifname=tap0,queues=4,vnet_hdr=on,script=no,downscript=no";
    static final String SEED_TAP_INCOMING = "tap,id=netdev.1,queues=4,script=no,downscript=no,incoming-fds=on";
    static final String SEED_NIC = "virtio-net-pci,netdev=netdev.1,id=vnet.1,bus=pci.1,mq=on,vectors=18,romfile=,"
            + "disable-legacy=off,addr=2,local-migration=on";

    final Path dir;
    final NetNamespace ns;
    private final List<AutoCloseable> closeLast = new ArrayList<>();
    private final List<AutoCloseable> closeFirst = new ArrayList<>();
    QtestVm source;
    QtestVm target;
    QmpClient sourceQmp;
    QmpClient targetQmp;
    VirtioNetDriver nic;
    GuestLoop guest;

    /** Skips (or fails with JVMM_REQUIRE_ALL=1) without root, TAP and the plugins the VM needs. */
    static void requirements() {
        String why = NetNamespace.unavailableReason();
        Requirements.require(why == null, why == null ? "" : why);
        Requirements.require(Files.isExecutable(Path.of("/usr/bin/ping")) || Files.isExecutable(Path.of("/bin/ping")),
                "ping (package iputils-ping)");
        JvmmProcess.Result r = JvmmProcess.run(Duration.ofSeconds(60), "plugins");
        boolean ok = r.stdout().contains("pc-q35") && r.stdout().contains("accelerators: qtest")
                && r.stdout().contains("virtio-net-pci") && r.stdout().contains("migration transports: unix")
                && r.stdout().contains("netdev types: tap");
        Requirements.require(ok, "the q35, qtest, virtio-net, tap and migration-unix plugins in the distribution");
    }

    MigrationRig(String prefix) throws IOException {
        this.dir = Files.createTempDirectory("jvmm-mig-");
        this.ns = NetNamespace.create(prefix);
        ns.addTap("tap0", true, "10.78.0.1/24");
    }

    static VmLauncher jvmm() {
        return VmLauncher.jvmm(List.of(JvmmProcess.executable().toString())).haltFirmware(true)
                .args("-accel", "qtest").machine("q35").memory("256M");
    }

    Path sock(String name) {
        return dir.resolve(name);
    }

    /** Starts the source with the seed's netdev and NIC and brings the guest's network up. */
    QtestVm startSource(VmLauncher l, String... extra) throws IOException {
        source = l.wrapper(ns.execPrefix()).workDir(dir.resolve("src"))
                .args("-name", "source", "-device", BRIDGE)
                .args(extra)
                .args("-qmp", JvmmProcess.qmpArg(sock("qmp-source.sock")))
                .start();
        closeLast.add(source);
        sourceQmp = QmpClient.connect(waitFor(sock("qmp-source.sock")));
        closeLast.add(sourceQmp);
        return source;
    }

    QtestVm startTarget(VmLauncher l, String... extra) throws IOException {
        target = l.wrapper(ns.execPrefix()).workDir(dir.resolve("dst"))
                .args("-name", "target", "-device", BRIDGE)
                .args(extra)
                .args("-qmp", JvmmProcess.qmpArg(sock("qmp-target.sock")), "-incoming", "defer")
                .start();
        closeFirst.add(target);
        targetQmp = QmpClient.connect(waitFor(sock("qmp-target.sock")));
        closeFirst.add(targetQmp);
        return target;
    }

    /** The source's mem-path (its RAM file), for a target that shares it. */
    String sourceRamFile() {
        return source.command().stream().filter(a -> a.contains("mem-path=")).findFirst()
                .map(a -> a.substring(a.indexOf("mem-path=") + 9).split(",")[0])
                .orElseThrow(() -> new IllegalStateException("source has no shared RAM file"));
    }

    /** Brings the guest NIC up with 4 queue pairs and starts answering ARP/ping. */
    void guestUp() {
        nic = VirtioNetScenario.bringUp(source, VirtioNetScenario.findNic(source), 4);
        guest = new GuestLoop(nic, new NetResponder(nic, GUEST_IP, 7));
        closeFirst.add(0, guest);
    }

    boolean pings() {
        try {
            String out = ns.exec("ping", "-c", "3", "-i", "0.2", "-W", "2", GUEST);
            return out.contains(" 0% packet loss") || out.contains("3 received") || out.contains("2 received");
        } catch (RuntimeException e) {
            return false;
        }
    }

    void assertGuestAnswersPing(String when) {
        assertTrue(pings(), "the guest answers ping " + when);
    }

    static JsonNode ok(JsonNode reply) {
        assertTrue(reply.has("return"), "QMP error: " + reply);
        return reply.get("return");
    }

    static void setUp(QmpClient qmp, boolean local, boolean ignoreShared) {
        ok(qmp.negotiate().execute("migrate-set-capabilities", Map.of("capabilities", List.of(
                Map.of("capability", "events", "state", true),
                Map.of("capability", "x-ignore-shared", "state", ignoreShared)))));
        ok(qmp.execute("migrate-set-parameters", Map.of("local", local)));
    }

    /** Polls query-migrate on {@code qmp} until a final status; returns the last reply. */
    static JsonNode awaitFinal(QmpClient qmp, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode r = ok(qmp.execute("query-migrate"));
            String s = r.path("status").asText();
            if (s.equals("completed") || s.equals("failed") || s.equals("cancelled")) {
                return r;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("migration not finished after " + timeout + ": " + r);
            }
            Thread.sleep(5);
        }
    }

    static String runState(QmpClient qmp) {
        return ok(qmp.execute("query-status")).path("status").asText();
    }

    /** Open descriptors of {@code pid} that are tap queues (/dev/net/tun) or memfds. */
    static Map<String, Long> descriptors(long pid) {
        long tun = 0;
        long memfd = 0;
        try (Stream<Path> s = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            for (Path p : s.toList()) {
                try {
                    String t = Files.readSymbolicLink(p).toString();
                    tun += t.equals("/dev/net/tun") ? 1 : 0;
                    memfd += t.startsWith("/memfd:") ? 1 : 0;
                } catch (IOException gone) {
                    // closed while we looked
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list descriptors of " + pid, e);
        }
        return Map.of("tun", tun, "memfd", memfd);
    }

    /** After a failed migration: the source runs, answers ping, and holds exactly its own 4 queues. */
    void assertSourceRecovered(String why) throws InterruptedException {
        for (int i = 0; i < 100 && !runState(sourceQmp).equals("running"); i++) {
            Thread.sleep(20);
        }
        assertEquals("running", runState(sourceQmp), why + ": the source runs again");
        assertEquals(4L, descriptors(source.process().pid()).get("tun"), why + ": the source keeps its 4 tap queues");
        assertEquals(4, ns.tapQueues("tap0"), why + ": tap0 has the source's 4 queues attached");
        assertGuestAnswersPing("on the source after: " + why);
    }

    /** A target that refused or failed holds no tap queue and no memfd it received. */
    void assertTargetHoldsNothing(String why) {
        if (target != null && target.process().isAlive()) {
            assertEquals(0L, descriptors(target.process().pid()).get("tun"), why + ": the target holds no tap queue");
        }
    }

    void killTarget() throws InterruptedException {
        long pid = target.process().pid();
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        target.process().waitFor();
    }

    /** Waits for a line in the target's stderr (x-pause-at markers). */
    void awaitTargetLog(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!target.stderr().contains(text)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("target never logged '" + text + "':\n" + target.stderr());
            }
            Thread.sleep(10);
        }
    }

    static Path waitFor(Path sock) {
        for (int i = 0; i < 2000 && !Files.exists(sock); i++) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return sock;
    }

    @Override
    public void close() {
        for (AutoCloseable c : closeFirst) {
            closeQuietly(c);
        }
        for (AutoCloseable c : closeLast.reversed()) {
            closeQuietly(c);
        }
        closeQuietly(ns);
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // cleanup continues
        }
    }

    /**
     * The guest's run loop: polls the responder on one thread; {@link #moveTo} switches the qtest
     * connection (and with it every driver) to the target between two polls.
     */
    static final class GuestLoop implements AutoCloseable {
        private final VirtioNetDriver nic;
        private final NetResponder responder;
        private final ReentrantLock lock = new ReentrantLock();
        private final Thread thread;
        private volatile boolean running = true;
        volatile Throwable failure;

        GuestLoop(VirtioNetDriver nic, NetResponder responder) {
            this.nic = nic;
            this.responder = responder;
            this.thread = Thread.ofPlatform().daemon().name("guest").start(this::run);
        }

        private void run() {
            while (running) {
                lock.lock();
                try {
                    if (responder.pollOnce() == 0) {
                        Thread.sleep(1);
                    }
                } catch (InterruptedException e) {
                    return;
                } catch (Throwable t) {
                    // a stopped source may refuse a kick; the guest keeps polling
                    failure = t;
                } finally {
                    lock.unlock();
                }
            }
        }

        /**
         * Stops the guest between two polls, as a stopped vCPU would: with RAM copied (not shared), a
         * guest that kept writing RAM through the stopped source would lose those writes. Ends
         * with {@link #moveTo}, from the same thread.
         */
        void hold() {
            lock.lock();
        }

        /** The guest now lives in {@code target}: every later access goes there. */
        void moveTo(QtestVm from, QtestVm target) {
            lock.lock();
            try {
                from.qtest().switchTo(target.qtest());
                failure = null;
                // doorbells rung on the stopped source before the guest was held are rung again
                // here, as the demo's guest does (a real vCPU stops with its VM; this loop may not)
                nic.ringAll();
            } finally {
                while (lock.isHeldByCurrentThread()) {
                    lock.unlock();
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join(5000);
        }
    }
}
