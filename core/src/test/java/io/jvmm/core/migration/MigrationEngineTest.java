package io.jvmm.core.migration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.core.os.LibC;
import io.jvmm.spi.config.Properties;
import io.jvmm.spi.lifecycle.RunState;
import io.jvmm.spi.migration.MigrationTransport;
import io.jvmm.spi.qmp.QmpError;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Source and target engines in one process, over real sockets, with fake devices and real RAM. */
class MigrationEngineTest {
    @TempDir
    Path dir;

    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : cleanup.reversed()) {
            c.close();
        }
    }

    private <T extends AutoCloseable> T keep(T c) {
        cleanup.add(c);
        return c;
    }

    /** Open descriptors of the kinds a migration passes around (the fake taps' /dev/null, memfds). */
    private static long openFds() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.filter(p -> {
                try {
                    String t = Files.readSymbolicLink(p).toString();
                    return t.equals("/dev/null") || t.startsWith("/memfd:");
                } catch (IOException e) {
                    return false;
                }
            }).count();
        }
    }

    record Run(MigrationManager source, MigrationManager target) {
    }

    private Run start(FakeHost src, FakeHost dst, MigrationTransport t, boolean local, boolean ignoreShared) {
        MigrationManager in = keep(new MigrationManager(dst, List.of(t)));
        MigrationManager out = keep(new MigrationManager(src, List.of(t)));
        for (MigrationManager m : List.of(in, out)) {
            m.setCapabilities(List.of(Map.of("capability", "events", "state", true),
                    Map.of("capability", "x-ignore-shared", "state", ignoreShared)));
            m.setParameters(Properties.of(Map.of("local", local)));
        }
        in.incoming(t.name() + ":127.0.0.1:0");
        out.migrate(t.name() + ":" + in.incomingAddress());
        return new Run(out, in);
    }

    private static void await(MigrationManager m) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!(m.status().finished() && m.status() != MigrationStatus.NONE)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("migration did not finish: " + m.query());
            }
            Thread.sleep(2);
        }
    }

    private static Run finish(Run r) throws InterruptedException {
        await(r.source());
        await(r.target());
        return r;
    }

    private static void fill(MemorySegment ram) {
        // a pattern on every other 64 KiB, zero elsewhere
        for (long off = 0; off < ram.byteSize(); off += 8) {
            if ((off >> 16) % 2 == 0) {
                ram.set(ValueLayout.JAVA_LONG_UNALIGNED, off, off * 0x9E3779B97F4A7C15L);
            }
        }
    }

    @Test
    void ordinaryMigrationOverTcpCopiesRamAndDeviceState() throws Exception {
        FakeHost src = keep(FakeHost.source());
        FakeNic nicA = new FakeNic("net0", false);
        nicA.features = 0x1_0000_0030L;
        nicA.mac = new byte[] {0x52, 0x54, 0, 1, 2, 3};
        src.with("vnet.1", nicA);
        FakeHost dst = keep(FakeHost.target());
        FakeNic nicB = new FakeNic("net0", false);
        dst.with("vnet.1", nicB);
        fill(src.ramBacking());

        Run r = finish(start(src, dst, new TcpMigrationTransport(), false, false));

        assertEquals(MigrationStatus.COMPLETED, r.source().status(), String.valueOf(r.source().query()));
        assertEquals(MigrationStatus.COMPLETED, r.target().status(), String.valueOf(r.target().query()));
        assertEquals(-1, src.ramBacking().mismatch(dst.ramBacking()), "target RAM equals source RAM");
        assertEquals(nicA.features, nicB.features);
        assertArrayEquals(nicA.mac, nicB.mac);
        assertEquals(RunState.POSTMIGRATE, src.runState());
        assertEquals(RunState.RUNNING, dst.runState(), "a target without -S runs by itself");
        assertEquals(List.of(RunState.FINISH_MIGRATE, RunState.POSTMIGRATE), src.history);
        assertEquals(List.of("setup", "active", "device", "completed"), src.migrationEvents());
        assertEquals(List.of("setup", "active", "completed"), dst.migrationEvents());

        Map<String, Object> q = r.source().query();
        assertEquals("completed", q.get("status"));
        assertTrue(q.containsKey("total-time") && q.containsKey("setup-time") && q.containsKey("downtime"), q.toString());
        @SuppressWarnings("unchecked")
        Map<String, Object> ram = (Map<String, Object>) q.get("ram");
        assertEquals(4L << 20, ram.get("total"));
        assertEquals(0L, ram.get("remaining"));
        assertEquals(512L, ram.get("duplicate"), "half of the 1024 pages are zero and sent as flags");
        assertEquals(512L, ram.get("normal"));
        @SuppressWarnings("unchecked")
        Map<String, Object> sw = (Map<String, Object>) q.get("x-switchover");
        assertEquals(1L, sw.get("sections"));
        assertEquals(0L, sw.get("descriptors"));
        assertTrue((Long) sw.get("target-load-us") >= 0);
    }

    @Test
    void targetStartedWithDashSStaysPaused() throws Exception {
        FakeHost src = keep(FakeHost.source()).with("vnet.1", new FakeNic("net0", false));
        FakeHost dst = keep(FakeHost.target()).with("vnet.1", new FakeNic("net0", false));
        dst.autostart = false;
        finish(start(src, dst, new TcpMigrationTransport(), false, false));
        assertEquals(RunState.PAUSED, dst.runState());
    }

    @Test
    void aPausedGuestStaysPausedOnTheTargetAndOnTheSourceAfterAFailure() throws Exception {
        FakeHost src = keep(FakeHost.source()).with("vnet.1", new FakeNic("net0", false));
        src.state = RunState.PAUSED;
        FakeHost dst = keep(FakeHost.target()).with("vnet.1", new FakeNic("net0", false));
        finish(start(src, dst, new TcpMigrationTransport(), false, false));
        assertEquals(RunState.POSTMIGRATE, src.runState());
        assertEquals(RunState.PAUSED, dst.runState(), "the guest was paused: the target does not start it");
        assertFalse(dst.events.contains("RESUME"));

        FakeHost src2 = keep(FakeHost.source()).with("vnet.1", new FakeNic("net0", false));
        src2.state = RunState.PAUSED;
        FakeNic failing = new FakeNic("net0", false);
        failing.failOnLoad = new IllegalStateException("bad state");
        FakeHost dst2 = keep(FakeHost.target()).with("vnet.1", failing);
        Run r = finish(start(src2, dst2, new TcpMigrationTransport(), false, false));
        assertEquals(MigrationStatus.FAILED, r.source().status());
        assertEquals(RunState.PAUSED, src2.runState(), "a paused source goes back to paused, not running");
        assertFalse(src2.events.contains("RESUME"));
    }

    @Test
    void aListeningTargetTakesSettingsMadeAfterItStartedListening() throws Exception {
        // -incoming unix:PATH listens at start-up, before QMP can set anything (QEMU allows setting
        // capabilities and parameters until the source connects)
        FakeHost src = keep(FakeHost.source());
        src.withTap(keep(new FakeTap("net0", 2, false))).with("vnet.1", new FakeNic("net0", true));
        FakeHost dst = keep(FakeHost.target());
        FakeTap tapB = keep(new FakeTap("net0", 2, true));
        dst.withTap(tapB).with("vnet.1", new FakeNic("net0", true));
        MigrationTransport t = new LoopbackFdTransport();
        MigrationManager in = keep(new MigrationManager(dst, List.of(t)));
        in.incoming("unix:127.0.0.1:0");
        in.setParameters(Properties.of(Map.of("local", true)));
        MigrationManager out = keep(new MigrationManager(src, List.of(t)));
        out.setParameters(Properties.of(Map.of("local", true)));
        out.migrate("unix:" + in.incomingAddress());
        finish(new Run(out, in));
        assertEquals(MigrationStatus.COMPLETED, out.status(), String.valueOf(out.query()));
        assertEquals(2, tapB.fds.length, "the target used local=on, set after it began listening");
    }

    @Test
    void sharedFileWithIgnoreSharedSendsNoPages() throws Exception {
        Path shm = dir.resolve("ram");
        FakeHost src = keep(new FakeHost(RunState.RUNNING, "file", 4 << 20, Optional.of(shm)));
        FakeHost dst = keep(new FakeHost(RunState.INMIGRATE, "file", 4 << 20, Optional.of(shm)));
        src.with("vnet.1", new FakeNic("net0", false));
        dst.with("vnet.1", new FakeNic("net0", false));
        fill(src.ramBacking());
        Run r = finish(start(src, dst, new TcpMigrationTransport(), false, true));
        assertEquals(MigrationStatus.COMPLETED, r.source().status(), String.valueOf(r.source().query()));
        @SuppressWarnings("unchecked")
        Map<String, Object> ram = (Map<String, Object>) r.source().query().get("ram");
        assertEquals(0L, ram.get("transferred"));
        assertEquals("shared", ram.get("x-mode"));
        assertEquals(-1, src.ramBacking().mismatch(dst.ramBacking()), "the same pages, seen through the file");
    }

    @Test
    void localMigrationHandsTapDescriptorsAndMemfdOver() throws Exception {
        long before = openFds();
        FakeHost src = keep(new FakeHost(RunState.RUNNING, "memfd", 4 << 20, Optional.empty()));
        FakeTap tapA = keep(new FakeTap("net0", 4, false));
        src.withTap(tapA).with("vnet.1", new FakeNic("net0", true));
        FakeHost dst = keep(new FakeHost(RunState.INMIGRATE, "memfd", 4 << 20, Optional.empty()));
        FakeTap tapB = keep(new FakeTap("net0", 4, true));
        dst.withTap(tapB).with("vnet.1", new FakeNic("net0", true));
        fill(src.ramBacking());
        int[] sourceFds = tapA.fds.clone();

        Run r = finish(start(src, dst, new LoopbackFdTransport(), true, false));

        assertEquals(MigrationStatus.COMPLETED, r.source().status(), String.valueOf(r.source().query()));
        assertEquals(4, tapB.fds.length);
        for (int i = 0; i < 4; i++) {
            assertNotEquals(sourceFds[i], tapB.fds[i]);
            assertEquals(Files.readSymbolicLink(Path.of("/proc/self/fd/" + sourceFds[i])),
                    Files.readSymbolicLink(Path.of("/proc/self/fd/" + tapB.fds[i])));
            assertTrue(LibC.isOpen(sourceFds[i]), "the source keeps its descriptors until it quits");
        }
        assertArrayEquals(sourceFds, tapA.fds);
        assertTrue(tapA.handedOver);
        assertFalse(tapB.waiting);
        assertEquals(-1, src.ramBacking().mismatch(dst.ramBacking()), "RAM arrived as the memfd itself");
        src.ramBacking().set(ValueLayout.JAVA_LONG, 8, 0x1234L);
        assertEquals(0x1234L, dst.ramBacking().get(ValueLayout.JAVA_LONG, 8), "both map the same pages");
        @SuppressWarnings("unchecked")
        Map<String, Object> sw = (Map<String, Object>) r.source().query().get("x-switchover");
        assertEquals(5L, sw.get("descriptors"), "4 tap queues and the memfd");
        @SuppressWarnings("unchecked")
        Map<String, Object> ram = (Map<String, Object>) r.source().query().get("ram");
        assertEquals("fd", ram.get("x-mode"));
        assertEquals(0L, ram.get("transferred"));
        // afterwards: the four target tap descriptors are new (and owned by tapB); the target RAM's
        // own memfd was replaced by the received one
        dst.close();
        tapB.close();
        src.close();
        tapA.close();
        cleanup.clear();
        assertEquals(before, openFds(), "every descriptor is accounted for");
    }

    @Test
    void theSwitchoverSavesAndLoadsAtTheRaisedPriority() throws Exception {
        // CI runs as root; without CAP_SYS_NICE the switchover keeps its priority (SwitchoverPriorityTest)
        org.junit.jupiter.api.Assumptions.assumeTrue(io.jvmm.core.os.ThreadNice.canRaise()
                || System.getenv("JVMM_REQUIRE_ALL") != null, "needs CAP_SYS_NICE");
        FakeHost src = keep(FakeHost.source());
        FakeNic nicA = new FakeNic("net0", false);
        src.with("vnet.1", nicA);
        FakeHost dst = keep(FakeHost.target());
        FakeNic nicB = new FakeNic("net0", false);
        dst.with("vnet.1", nicB);

        Run r = finish(start(src, dst, new TcpMigrationTransport(), false, true));

        assertEquals(MigrationStatus.COMPLETED, r.source().status(), String.valueOf(r.source().query()));
        // the warm-up saves run at 0 before the stop; the last save is the real one, after it
        assertEquals(SwitchoverPriority.setting(System.getenv(SwitchoverPriority.ENV)), nicA.saveNice,
                "the source saves the stopped guest's state at the switchover priority");
        assertEquals(SwitchoverPriority.setting(System.getenv(SwitchoverPriority.ENV)), nicB.loadNice,
                "the target loads it at the switchover priority");
    }

    /** Source keeps running, nothing was stopped, and the target's error reached query-migrate. */
    private static void assertRejectedWhileRunning(Run r, FakeHost src, String expected) {
        assertEquals(MigrationStatus.FAILED, r.source().status());
        String desc = String.valueOf(r.source().query().get("error-desc"));
        assertTrue(desc.contains(expected), desc);
        assertEquals(RunState.RUNNING, src.runState());
        assertTrue(src.history.isEmpty(), "the source never stopped: " + src.history);
        assertEquals(MigrationStatus.FAILED, r.target().status());
    }

    @Test
    void targetWithoutIncomingFdsIsRejectedBeforeTheSourceStops() throws Exception {
        FakeHost src = keep(FakeHost.source());
        FakeTap tapA = keep(new FakeTap("net0", 2, false));
        src.withTap(tapA).with("vnet.1", new FakeNic("net0", true));
        FakeHost dst = keep(FakeHost.target());
        dst.withTap(keep(new FakeTap("net0", 2, false))).with("vnet.1", new FakeNic("net0", true));
        Run r = finish(start(src, dst, new LoopbackFdTransport(), true, false));
        assertRejectedWhileRunning(r, src, "does not wait for them (start the target's tap with incoming-fds=on)");
        assertFalse(tapA.handedOver);
        assertFalse(tapA.paused);
    }

    @Test
    void incomingFdsWithoutLocalOnTheSourceIsRejected() throws Exception {
        FakeHost src = keep(FakeHost.source());
        src.withTap(keep(new FakeTap("net0", 2, false))).with("vnet.1", new FakeNic("net0", true));
        FakeHost dst = keep(FakeHost.target());
        dst.withTap(keep(new FakeTap("net0", 2, true))).with("vnet.1", new FakeNic("net0", true));
        Run r = finish(start(src, dst, new LoopbackFdTransport(), false, false));
        assertRejectedWhileRunning(r, src, "waits for descriptors (incoming-fds=on) but the source did not enable local");
    }

    @Test
    void localOnOneSideOnlyIsRejected() throws Exception {
        FakeHost src = keep(FakeHost.source()).with("vnet.1", new FakeNic("net0", false));
        FakeHost dst = keep(FakeHost.target()).with("vnet.1", new FakeNic("net0", false));
        MigrationTransport t = new LoopbackFdTransport();
        MigrationManager in = keep(new MigrationManager(dst, List.of(t)));
        MigrationManager out = keep(new MigrationManager(src, List.of(t)));
        out.setParameters(Properties.of(Map.of("local", true)));
        in.incoming("unix:127.0.0.1:0");
        out.migrate("unix:" + in.incomingAddress());
        Run r = finish(new Run(out, in));
        assertRejectedWhileRunning(r, src, "this target has local=off");
    }

    @Test
    void queueCountMismatchIsRejected() throws Exception {
        FakeHost src = keep(FakeHost.source());
        src.withTap(keep(new FakeTap("net0", 4, false))).with("vnet.1", new FakeNic("net0", true));
        FakeHost dst = keep(FakeHost.target());
        dst.withTap(keep(new FakeTap("net0", 2, true))).with("vnet.1", new FakeNic("net0", true));
        Run r = finish(start(src, dst, new LoopbackFdTransport(), true, false));
        assertRejectedWhileRunning(r, src, "has 4 queues on the source but 2 on the target");
    }

    @Test
    void deviceLocalMigrationPropertyMustMatch() throws Exception {
        FakeHost src = keep(FakeHost.source());
        src.withTap(keep(new FakeTap("net0", 2, false))).with("vnet.1", new FakeNic("net0", true));
        FakeHost dst = keep(FakeHost.target());
        dst.withTap(keep(new FakeTap("net0", 2, true))).with("vnet.1", new FakeNic("net0", false));
        Run r = finish(start(src, dst, new LoopbackFdTransport(), true, false));
        assertRejectedWhileRunning(r, src, "device 'vnet.1' has local-migration=on on the source but off on the target");
    }

    @Test
    void unknownSectionAndDifferentRamAreRejected() throws Exception {
        FakeHost src = keep(FakeHost.source()).with("vnet.1", new FakeNic("net0", false))
                .with("vnet.2", new FakeNic("net1", false));
        FakeHost dst = keep(FakeHost.target()).with("vnet.1", new FakeNic("net0", false));
        Run r = finish(start(src, dst, new TcpMigrationTransport(), false, false));
        assertRejectedWhileRunning(r, src, "unknown section 'virtio-net' (instance 'vnet.2')");

        FakeHost small = keep(new FakeHost(RunState.INMIGRATE, "ram", 2 << 20, Optional.empty()))
                .with("vnet.1", new FakeNic("net0", false)).with("vnet.2", new FakeNic("net1", false));
        FakeHost src2 = keep(FakeHost.source()).with("vnet.1", new FakeNic("net0", false))
                .with("vnet.2", new FakeNic("net1", false));
        Run r2 = finish(start(src2, small, new TcpMigrationTransport(), false, false));
        assertRejectedWhileRunning(r2, src2, "RAM size differs");
    }

    @Test
    void localOverTcpFailsAtOnceWithTheGuestRunning() {
        FakeHost src = keep(FakeHost.source());
        MigrationManager out = keep(new MigrationManager(src, List.of()));
        out.setParameters(Properties.of(Map.of("local", true)));
        QmpError e = assertThrows(QmpError.class, () -> out.migrate("tcp:127.0.0.1:1"));
        assertTrue(e.getMessage().contains("local migration needs a transport that carries descriptors (unix:PATH)"),
                e.getMessage());
        assertEquals(RunState.RUNNING, src.runState());
        assertEquals(Map.of(), out.query(), "no migration was started");
        QmpError bad = assertThrows(QmpError.class, () -> out.migrate("fd:3"));
        assertTrue(bad.getMessage().contains("unknown migration protocol: fd"), bad.getMessage());
        assertThrows(QmpError.class, () -> out.migrate("nonsense"));
    }

    @Test
    void loadFailureOnTheTargetResumesTheSourceAndReleasesEveryDescriptor() throws Exception {
        long before = openFds();
        FakeHost src = keep(FakeHost.source());
        FakeTap tapA = keep(new FakeTap("net0", 3, false));
        src.withTap(tapA).with("vnet.1", new FakeNic("net0", true));
        FakeHost dst = keep(FakeHost.target());
        FakeTap tapB = keep(new FakeTap("net0", 3, true));
        FakeNic nicB = new FakeNic("net0", true);
        nicB.failOnLoad = new IllegalStateException("queue 0 avail index beyond the ring");
        dst.withTap(tapB).with("vnet.1", nicB);
        long withTaps = openFds();

        Run r = finish(start(src, dst, new LoopbackFdTransport(), true, false));

        assertEquals(MigrationStatus.FAILED, r.source().status());
        String desc = String.valueOf(r.source().query().get("error-desc"));
        assertTrue(desc.contains("queue 0 avail index beyond the ring") && desc.contains("'virtio-net' (instance 'vnet.1')"),
                desc);
        assertEquals(RunState.RUNNING, src.runState(), "the source runs again");
        assertEquals(List.of("STOP", "RESUME"), src.events.stream().filter(e -> !e.startsWith("MIGRATION")).toList());
        assertFalse(tapA.handedOver);
        assertFalse(tapA.paused, "the source's tap moves frames again");
        for (int fd : tapA.fds) {
            assertTrue(LibC.isOpen(fd));
        }
        assertTrue(tapB.waiting, "the target's tap released what it got and waits again");
        assertEquals(0, tapB.fds.length);
        assertEquals(RunState.INMIGRATE, dst.runState());
        Thread.sleep(50);
        assertEquals(withTaps, openFds(), "no received descriptor leaked on the target");
        assertTrue(before <= withTaps);
    }

    @Test
    void aFailedTargetGivesTheSourcesMemfdBack() throws Exception {
        FakeHost src = keep(new FakeHost(RunState.RUNNING, "memfd", 4 << 20, Optional.empty()));
        src.withTap(keep(new FakeTap("net0", 2, false))).with("vnet.1", new FakeNic("net0", true));
        FakeHost dst = keep(new FakeHost(RunState.INMIGRATE, "memfd", 4 << 20, Optional.empty()));
        FakeNic nicB = new FakeNic("net0", true);
        nicB.failOnLoad = new IllegalStateException("bad ring");
        FakeTap tapB = keep(new FakeTap("net0", 2, true));
        dst.withTap(tapB).with("vnet.1", nicB);
        Run r = finish(start(src, dst, new LoopbackFdTransport(), true, false));
        assertEquals(MigrationStatus.FAILED, r.source().status());
        assertEquals(RunState.RUNNING, src.runState());
        src.ramBacking().set(ValueLayout.JAVA_LONG, 64, 0x5555L);
        assertEquals(0L, dst.ramBacking().get(ValueLayout.JAVA_LONG, 64),
                "the target no longer maps the source's RAM");
        assertTrue(tapB.waiting);
    }

    @Test
    void cancelDuringStateLoadResumesTheSource() throws Exception {
        FakeHost src = keep(FakeHost.source());
        FakeTap tapA = keep(new FakeTap("net0", 2, false));
        src.withTap(tapA).with("vnet.1", new FakeNic("net0", true));
        FakeHost dst = keep(FakeHost.target());
        FakeTap tapB = keep(new FakeTap("net0", 2, true));
        FakeNic nicB = new FakeNic("net0", true);
        CountDownLatch release = new CountDownLatch(1);
        nicB.blockLoad = release;
        dst.withTap(tapB).with("vnet.1", nicB);
        Run r = start(src, dst, new LoopbackFdTransport(), true, false);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (r.source().status() != MigrationStatus.DEVICE && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        r.source().cancel();
        await(r.source());
        release.countDown();
        await(r.target());
        assertEquals(MigrationStatus.CANCELLED, r.source().status());
        assertEquals("migration cancelled", r.source().query().get("error-desc"));
        assertEquals(RunState.RUNNING, src.runState());
        assertFalse(tapA.handedOver);
        assertEquals(MigrationStatus.FAILED, r.target().status());
        assertTrue(tapB.waiting);
        assertEquals(0, tapB.fds.length, "the target released the descriptors of the loaded tap section");
        assertTrue(src.migrationEvents().contains("cancelling") && src.migrationEvents().contains("cancelled"));
    }

    @Test
    void migrateCancelWithoutMigrationSucceeds() {
        FakeHost src = keep(FakeHost.source());
        MigrationManager m = keep(new MigrationManager(src, List.of()));
        m.cancel();
        assertEquals(Map.of(), m.query());
    }

    @Test
    void targetThatNeverAnswersTimesOutAndTheSourceKeepsRunning() throws Exception {
        FakeHost src = keep(FakeHost.source()).with("vnet.1", new FakeNic("net0", false));
        MigrationManager out = keep(new MigrationManager(src, List.of()));
        out.setTimeouts(300, 300);
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0)) {
            out.migrate("tcp:127.0.0.1:" + silent.getLocalPort());
            await(out);
        }
        assertEquals(MigrationStatus.FAILED, out.status());
        assertTrue(String.valueOf(out.query().get("error-desc")).contains("did not answer the handshake"),
                out.query().toString());
        assertEquals(RunState.RUNNING, src.runState());
    }

    @Test
    void capabilitiesAndParametersAreCheckedAndReported() {
        MigrationManager m = keep(new MigrationManager(keep(FakeHost.source()), List.of()));
        QmpError e = assertThrows(QmpError.class,
                () -> m.setCapabilities(List.of(Map.of("capability", "events", "state", true),
                        Map.of("capability", "postcopy-ram", "state", true))));
        assertTrue(e.getMessage().contains("postcopy-ram"), e.getMessage());
        assertFalse(m.capabilities().events(), "nothing changed when one entry was bad");
        m.setCapabilities(List.of(Map.of("capability", "x-ignore-shared", "state", true)));
        assertEquals(List.of(Map.of("capability", "events", "state", false),
                Map.of("capability", "x-ignore-shared", "state", true)), m.capabilities().toQmp());
        java.util.HashMap<String, Object> args = new java.util.HashMap<>();
        args.put("local", true);
        args.put("downtime-limit", null);
        m.setParameters(Properties.of(args));
        m.setParameters(Properties.of(Map.of("downtime-limit", 100L)));
        assertEquals(Map.of("local", true, "downtime-limit", 100L, "max-bandwidth", 0L), m.parameters().toQmp());
        assertThrows(QmpError.class, () -> m.setParameters(Properties.of(Map.of("downtime-limit", -1L))));
        assertEquals(List.of("tcp"), m.transportNames());
    }

    @Test
    void incomingNeedsAProcessStartedForIt() {
        MigrationManager m = keep(new MigrationManager(keep(FakeHost.source()), List.of()));
        QmpError e = assertThrows(QmpError.class, () -> m.incoming("tcp:127.0.0.1:0"));
        assertTrue(e.getMessage().contains("'-incoming' was not specified"), e.getMessage());
    }
}
