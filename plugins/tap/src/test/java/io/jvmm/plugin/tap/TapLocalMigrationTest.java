package io.jvmm.plugin.tap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.spi.net.Offloads;
import io.jvmm.spi.vmstate.VmStateException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tap's side of local migration, both "processes" in this JVM: the source's vmstate carries
 * its queue descriptors (duplicated as SCM_RIGHTS would), a target started with incoming-fds
 * checks and adopts them, and the tap, its queues and its queued frames survive the handover.
 */
class TapLocalMigrationTest {
    private static final int BUF = TapBackend.MAX_FRAME + 12;
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private Map<String, String> fdsBefore;

    @BeforeAll
    static void warmUp() throws Exception {
        new java.security.SecureRandom().nextInt();
        Files.deleteIfExists(Files.createTempFile("jvmm-tap-warm", ""));
        // The JDK keeps a socket from its first datagram send (address-family probing).
        try (var ch = java.nio.channels.DatagramChannel.open()) {
            ch.send(java.nio.ByteBuffer.wrap(new byte[1]), new java.net.InetSocketAddress("127.0.0.1", 9));
        }
    }

    @BeforeEach
    void setUp() {
        TapTestEnv.requireTap();
        fdsBefore = TapTestEnv.fdTable();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        var after = TapTestEnv.fdTableSettled(fdsBefore);
        after.keySet().removeAll(fdsBefore.keySet());
        assertEquals(Map.of(), after, "descriptors leaked");
    }

    private <T extends AutoCloseable> T closeLater(T c) {
        toClose.add(c);
        return c;
    }

    private static Path logScript(Path dir, String name, Path log) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, "#!/bin/sh\necho " + name + " $1 >> " + log + "\n");
        p.toFile().setExecutable(true);
        return p;
    }

    @Test
    void theTargetAdoptsTheSourcesQueuesAndReadsWhatWaitedInTheKernel(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("log");
        String ifname = TapTestEnv.uniqueName("jvt");
        TapLab lab = closeLater(TapLab.create());
        TapBackend source = closeLater(TapProps.create("net0", TapProps.RUNNING, "ifname", ifname, "queues", 2L,
                "script", "no", "downscript", logScript(dir, "source-down", log).toString()));
        source.setVnetHeaderLength(12);
        Offloads offloads = new Offloads(true, true, true, false, false);
        source.setOffloads(offloads);
        lab.adoptInterface(ifname, 1500);
        source.resume();

        TapBackend target = closeLater(TapProps.create("net0", TapProps.INCOMING, "incoming-fds", true, "queues", 2L,
                "downscript", logScript(dir, "target-down", log).toString()));
        assertTrue(target.waitingForDescriptors());
        assertEquals(2, target.descriptorCount());

        // Switchover: the source stops, its state (with descriptors) goes to the target.
        source.pause();
        MemoryVmState stream = new MemoryVmState(true);
        source.vmstate().saver().save(stream);
        assertEquals(2, stream.fdFields());
        // Frames that arrive while both sides are stopped wait in the kernel's queues.
        TapDataPathTest.sendUdp(lab, 40, 9100);
        assertEquals(List.of(), stream.loadInto(target.vmstate()), "the target claimed every descriptor");
        source.handedOver();

        assertFalse(target.waitingForDescriptors());
        assertEquals(ifname, target.ifname());
        assertTrue(target.hasVnetHeader());
        assertEquals(12, target.vnetHeaderLength());
        assertEquals(offloads, target.offloads());

        source.close();
        assertTrue(lab.linkExists(ifname), "tap still there after the source closed");
        assertFalse(Files.exists(log), "the source never runs the downscript after a handover");

        List<TestSink> sinks = new ArrayList<>();
        for (var q : target.queues()) {
            TestSink s = new TestSink(64, BUF, 2, true);
            sinks.add(s);
            toClose.add(s::close);
            q.attach(s, s);
        }
        target.resume();
        int got = 0;
        long deadline = System.currentTimeMillis() + 5000;
        while (got < 40 && System.currentTimeMillis() < deadline) {
            got += drain(sinks, 9100);
            Thread.sleep(5);
        }
        assertEquals(40, got, "no frame lost across the handover");
        target.close();
        assertEquals(List.of("target-down " + ifname), Files.readAllLines(log), "downscript once, by the last owner");
        assertFalse(lab.linkExists(ifname), "the last descriptor closed: the tap the source created is gone");
    }

    private static int drain(List<TestSink> sinks, int port) {
        int n = 0;
        for (TestSink s : sinks) {
            byte[] f;
            while ((f = s.frames.poll()) != null) {
                Frames.Udp u = Frames.parseUdp(f, 12);
                if (u != null && u.dstPort() == port) {
                    n++;
                }
            }
        }
        return n;
    }

    @Test
    void anOrdinaryMigrationCarriesNoDescriptorAndTheTargetAppliesTheSettings() {
        TapBackend source = closeLater(TapProps.create("net0", TapProps.RUNNING, "ifname",
                TapTestEnv.uniqueName("jvt"), "queues", 2L, "script", "no", "downscript", "no"));
        source.setVnetHeaderLength(12);
        source.setOffloads(new Offloads(true, true, false, false, false));
        source.queues().get(1).setEnabled(false);
        TapBackend target = closeLater(TapProps.create("net0", TapProps.INCOMING, "ifname",
                TapTestEnv.uniqueName("jvt"), "queues", 2L, "script", "no", "downscript", "no"));
        MemoryVmState stream = new MemoryVmState(false);
        source.vmstate().saver().save(stream);
        assertEquals(0, stream.fdFields());
        stream.loadInto(target.vmstate());
        assertEquals(12, target.vnetHeaderLength());
        assertEquals(new Offloads(true, true, false, false, false), target.offloads());
        assertFalse(target.queues().get(1).enabled());
        assertTrue(target.queues().get(0).enabled());
    }

    @Test
    void aWaitingTargetRefusesStateWithoutDescriptors() {
        TapBackend source = closeLater(TapProps.create("net0", TapProps.RUNNING, "ifname",
                TapTestEnv.uniqueName("jvt"), "script", "no", "downscript", "no"));
        TapBackend target = closeLater(TapProps.create("net0", TapProps.INCOMING, "incoming-fds", true));
        MemoryVmState stream = new MemoryVmState(false);
        source.vmstate().saver().save(stream);
        String msg = assertThrows(VmStateException.class,
                () -> stream.loadInto(target.vmstate())).getMessage();
        assertTrue(msg.contains("sent none") && msg.contains("local=true"), msg);
        assertTrue(target.waitingForDescriptors());
    }

    @Test
    void aWaitingTargetOffersItsNicTheVnetHeaderAndRefusesASourceWithout() {
        TapBackend target = closeLater(TapProps.create("net0", TapProps.INCOMING, "incoming-fds", true));
        // The NIC is created before the descriptors arrive and computes its features from these.
        assertTrue(target.hasVnetHeader());
        assertEquals(TapBackend.INCOMING_ASSUMED_OFFLOADS, target.supportedOffloads());
        target.setVnetHeaderLength(12); // recorded, applied by nobody until the tap arrives
        TapBackend source = closeLater(TapProps.create("net0", TapProps.RUNNING, "ifname",
                TapTestEnv.uniqueName("jvt"), "vnet_hdr", false, "script", "no", "downscript", "no"));
        MemoryVmState stream = new MemoryVmState(true);
        source.vmstate().saver().save(stream);
        String msg = assertThrows(VmStateException.class, () -> stream.loadInto(target.vmstate())).getMessage();
        assertTrue(msg.contains("vnet_hdr=off") && msg.contains("use vnet_hdr=on"), msg);
        assertEquals(List.of(0), stream.lastCloseResults);
    }

    @Test
    void aQueueCountMismatchIsRefusedAndNothingReceivedLeaks() {
        TapBackend source = closeLater(TapProps.create("net0", TapProps.RUNNING, "ifname",
                TapTestEnv.uniqueName("jvt"), "queues", 2L, "script", "no", "downscript", "no"));
        TapBackend target = closeLater(TapProps.create("net0", TapProps.INCOMING, "incoming-fds", true, "queues", 4L));
        MemoryVmState stream = new MemoryVmState(true);
        source.vmstate().saver().save(stream);
        String msg = assertThrows(VmStateException.class,
                () -> stream.loadInto(target.vmstate())).getMessage();
        assertTrue(msg.contains("source has 2 queue(s)") && msg.contains("queues=4"), msg);
        assertEquals(List.of(0, 0), stream.lastCloseResults);
    }

    @Test
    void aReceivedDescriptorThatIsNotThisTapIsRefusedAndClosed() {
        TapBackend source = closeLater(TapProps.create("net0", TapProps.RUNNING, "ifname",
                TapTestEnv.uniqueName("jvt"), "queues", 2L, "script", "no", "downscript", "no"));
        TapBackend other = closeLater(TapProps.create("net1", TapProps.RUNNING, "ifname",
                TapTestEnv.uniqueName("jvt"), "queues", 2L, "script", "no", "downscript", "no"));
        TapBackend target = closeLater(TapProps.create("net0", TapProps.INCOMING, "incoming-fds", true, "queues", 2L));
        MemoryVmState stream = new MemoryVmState(true);
        source.vmstate().saver().save(stream);
        int foreign;
        try (Arena a = Arena.ofConfined()) {
            foreign = TapNative.dup(TapNative.newCallState(a), other.tapQueues().get(1).fd());
        }
        stream.replaceFd("queue1.fd", foreign);
        String msg = assertThrows(VmStateException.class,
                () -> stream.loadInto(target.vmstate())).getMessage();
        assertTrue(msg.contains("queue 1 belongs to " + other.ifname()), msg);
        assertTrue(target.waitingForDescriptors());
        assertEquals(List.of(0, 0), stream.lastCloseResults, "the loader kept none and closed none itself");
        assertTrue(target.tapQueues().stream().allMatch(q -> q.fd() < 0));

        MemoryVmState again = new MemoryVmState(true);
        source.vmstate().saver().save(again);
        int notTap;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = TapNative.newCallState(a);
            notTap = TapNative.eventfd(st, 0, TapNative.EFD_CLOEXEC);
        }
        again.replaceFd("queue0.fd", notTap);
        msg = assertThrows(VmStateException.class, () -> again.loadInto(target.vmstate())).getMessage();
        assertTrue(msg.contains("queue 0 is not an attached tap"), msg);
        assertEquals(List.of(0, 0), again.lastCloseResults);
    }

    @Test
    void anAbortedIncomingMigrationReleasesTheDescriptorsAndWaitsAgain() {
        TapBackend source = closeLater(TapProps.create("net0", TapProps.RUNNING, "ifname",
                TapTestEnv.uniqueName("jvt"), "queues", 2L, "script", "no", "downscript", "no"));
        TapBackend target = closeLater(TapProps.create("net0", TapProps.INCOMING, "incoming-fds", true, "queues", 2L,
                "downscript", "no"));
        MemoryVmState stream = new MemoryVmState(true);
        source.vmstate().saver().save(stream);
        stream.loadInto(target.vmstate());
        int adopted = target.tapQueues().get(0).fd();
        assertTrue(Files.exists(Path.of("/proc/self/fd/" + adopted)));
        target.abortIncoming();
        assertTrue(target.waitingForDescriptors());
        assertFalse(Files.exists(Path.of("/proc/self/fd/" + adopted)), "received descriptor closed");
        assertTrue(TapTestEnv.linkExists(source.ifname()), "the source's tap is untouched");
        // A second attempt works.
        MemoryVmState retry = new MemoryVmState(true);
        source.vmstate().saver().save(retry);
        retry.loadInto(target.vmstate());
        assertFalse(target.waitingForDescriptors());
    }

    @Test
    void aTargetWithItsOwnQueuesRefusesDescriptors() {
        TapBackend source = closeLater(TapProps.create("net0", TapProps.RUNNING, "ifname",
                TapTestEnv.uniqueName("jvt"), "script", "no", "downscript", "no"));
        TapBackend target = closeLater(TapProps.create("net0", TapProps.INCOMING, "ifname",
                TapTestEnv.uniqueName("jvt"), "script", "no", "downscript", "no"));
        MemoryVmState stream = new MemoryVmState(true);
        source.vmstate().saver().save(stream);
        String msg = assertThrows(VmStateException.class,
                () -> stream.loadInto(target.vmstate())).getMessage();
        assertTrue(msg.contains("incoming-fds=on"), msg);
        assertEquals(List.of(0), stream.lastCloseResults);
    }
}
