package io.jvmm.core.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.core.vmstate.VmStateCodec;
import io.jvmm.spi.config.Properties;
import io.jvmm.spi.lifecycle.RunState;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A peer that dies or lies at each point: the other side fails cleanly and nothing is left behind. */
class BrokenPeerTest {
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

    private static void await(MigrationManager m) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!(m.status().finished() && m.status() != MigrationStatus.NONE)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("did not finish: " + m.query());
            }
            Thread.sleep(2);
        }
    }

    /** A source's stream up to and including a valid SECTION for the target's one device. */
    private static byte[] validPrefix(FakeHost target, boolean withEnd) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        MigrationStreamWriter w = new MigrationStreamWriter(b, fds -> { });
        w.writeHeader();
        ControlRecords.Hello hello = new ControlRecords.Hello("test", false, false,
                new ControlRecords.Ram("ram", target.ramBackend().size(), false, ""), "copy",
                List.of(new ControlRecords.SectionInfo("vnet.1", "virtio-net", 1)), List.of(), List.of());
        w.writeRecord(RecordType.HELLO, ControlRecords.hello(hello));
        FakeNic nic = new FakeNic("net0", false);
        nic.features = 7;
        w.writeSection(VmStateCodec.save("vnet.1", nic.vmstate(), false));
        if (withEnd) {
            w.writeRecord(RecordType.END, ControlRecords.end(new ControlRecords.End(1, 0, true)));
        }
        w.flush();
        return b.toByteArray();
    }

    private MigrationManager target(FakeHost host) {
        MigrationManager in = keep(new MigrationManager(host, List.of()));
        in.setTimeouts(2000, 2000);
        in.incoming("tcp:127.0.0.1:0");
        return in;
    }

    private static void sendRaw(MigrationManager in, byte[] bytes) throws Exception {
        String[] hp = in.incomingAddress().split(":");
        try (Socket s = new Socket(hp[0], Integer.parseInt(hp[1]))) {
            OutputStream out = s.getOutputStream();
            out.write(bytes);
            out.flush();
            Thread.sleep(100);
        }
    }

    @Test
    void truncatedStreamFailsTheTargetWhichStaysInmigrate() throws Exception {
        FakeHost dst = keep(FakeHost.target());
        FakeNic nic = new FakeNic("net0", false);
        dst.with("vnet.1", nic);
        MigrationManager in = target(dst);
        byte[] full = validPrefix(dst, false);
        sendRaw(in, java.util.Arrays.copyOf(full, full.length - 20));
        await(in);
        assertEquals(MigrationStatus.FAILED, in.status());
        String desc = String.valueOf(in.query().get("error-desc"));
        assertTrue(desc.contains("ended inside a SECTION record"), desc);
        assertEquals(RunState.INMIGRATE, dst.runState());
        assertEquals(0, nic.features, "nothing of the partial section was applied");
    }

    @Test
    void corruptedStreamIsCaughtByTheChecksum() throws Exception {
        FakeHost dst = keep(FakeHost.target());
        dst.with("vnet.1", new FakeNic("net0", false));
        MigrationManager in = target(dst);
        byte[] full = validPrefix(dst, true);
        full[full.length - 30] ^= 0x01;
        sendRaw(in, full);
        await(in);
        String desc = String.valueOf(in.query().get("error-desc"));
        assertTrue(desc.contains("CRC32C mismatch"), desc);
        assertEquals(RunState.INMIGRATE, dst.runState());
    }

    @Test
    void sourceThatVanishesBeforeCommitLeavesTheTargetNotRunning() throws Exception {
        FakeHost dst = keep(FakeHost.target());
        dst.with("vnet.1", new FakeNic("net0", false));
        MigrationManager in = target(dst);
        sendRaw(in, validPrefix(dst, true));
        await(in);
        assertEquals(MigrationStatus.FAILED, in.status());
        String desc = String.valueOf(in.query().get("error-desc"));
        assertTrue(desc.contains("ended") || desc.contains("the source closed the connection"), desc);
        assertEquals(RunState.INMIGRATE, dst.runState(), "loaded but never confirmed: the target must not run");
    }

    @Test
    void targetThatDiesDuringStateTransferLeavesTheSourceRunning() throws Exception {
        FakeHost src = keep(FakeHost.source());
        FakeTap tap = keep(new FakeTap("net0", 2, false));
        src.withTap(tap).with("vnet.1", new FakeNic("net0", false));
        MigrationManager out = keep(new MigrationManager(src, List.of()));
        out.setTimeouts(2000, 2000);
        try (ServerSocket fakeTarget = new ServerSocket(0)) {
            out.migrate("tcp:127.0.0.1:" + fakeTarget.getLocalPort());
            try (Socket s = fakeTarget.accept()) {
                MigrationStreamReader r = new MigrationStreamReader(s.getInputStream(), n -> new int[0]);
                r.readHeader();
                r.expect(RecordType.HELLO);
                MigrationStreamWriter w = new MigrationStreamWriter(s.getOutputStream(), fds -> { });
                w.writeRecord(RecordType.ACCEPT, ControlRecords.accept(List.of()));
                w.flush();
                r.read(); // the first record after the source stopped, then die
            }
            await(out);
        }
        assertEquals(MigrationStatus.FAILED, out.status());
        assertEquals(RunState.RUNNING, src.runState());
        assertFalse(tap.paused);
        assertFalse(tap.handedOver);
        assertEquals(List.of(RunState.FINISH_MIGRATE, RunState.RUNNING), src.history);
    }

    @Test
    void targetThatRejectsWithGarbageStillFailsCleanly() throws Exception {
        FakeHost src = keep(FakeHost.source()).with("vnet.1", new FakeNic("net0", false));
        MigrationManager out = keep(new MigrationManager(src, List.of()));
        out.setParameters(Properties.of(Map.of("local", false)));
        try (ServerSocket fakeTarget = new ServerSocket(0)) {
            out.migrate("tcp:127.0.0.1:" + fakeTarget.getLocalPort());
            try (Socket s = fakeTarget.accept()) {
                s.getOutputStream().write(new byte[] {(byte) 0x99, 0, 0, 0, 1, 0});
                s.getOutputStream().flush();
                await(out);
            }
        }
        String desc = String.valueOf(out.query().get("error-desc"));
        assertTrue(desc.contains("unknown record type 0x99"), desc);
        assertEquals(RunState.RUNNING, src.runState());
        assertTrue(src.history.isEmpty());
    }
}
