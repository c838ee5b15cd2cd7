package io.jvmm.plugin.virtio.net;

import static io.jvmm.plugin.virtio.net.VirtioNetFeature.*;
import static io.jvmm.plugin.virtio.transport.VirtioPciLayout.*;
import static org.junit.jupiter.api.Assertions.*;

import io.jvmm.plugin.virtio.warmup.LoopbackNetBackend;
import io.jvmm.plugin.virtio.warmup.RecordingStateStream;
import io.jvmm.plugin.virtio.warmup.MiniDriver.Ring;
import io.jvmm.plugin.virtio.transport.VirtioFeature;
import io.jvmm.spi.net.Offloads;
import io.jvmm.spi.vmstate.VmStateDescription;
import io.jvmm.spi.vmstate.VmStateException;
import java.util.Arrays;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** Frames both ways, the control queue, filters, pause and migration state, on fakes. */
class VirtioNetDataPathTest {

    static byte[] ethFrame(byte[] dst, int length, int fill) {
        byte[] f = new byte[length];
        Arrays.fill(f, (byte) fill);
        System.arraycopy(dst, 0, f, 0, 6);
        f[12] = 0x08;
        f[13] = 0x00;
        return f;
    }

    static byte[] withHeader(int hdr, byte[] frame) {
        byte[] b = new byte[hdr + frame.length];
        System.arraycopy(frame, 0, b, hdr, frame.length);
        return b;
    }

    /** Brings the NIC up with one pair (rx vector 1, tx vector 2) and returns {rx, tx}. */
    static Ring[] up(NicFixture f, long features) {
        assertEquals(0xb, f.driver.negotiate(features) & 0xb);
        f.driver.write(COMMON_MSIX, 2, 0);
        Ring rx = f.driver.setupQueue(0, 256, 1);
        Ring tx = f.driver.setupQueue(1, 256, 2);
        f.driver.driverOk();
        return new Ring[] {rx, tx};
    }

    @Test
    void transmitGathersTheChainIntoOneBackendSendWithTheHeader() {
        try (NicFixture f = new NicFixture(1, false, true, true)) {
            Ring tx = up(f, NicFixture.features())[1];
            long hdr = f.driver.alloc(12);
            long data = f.driver.alloc(60);
            byte[] frame = ethFrame(new byte[] {1, 2, 3, 4, 5, 6}, 60, 0x5a);
            f.mem.write(data, frame, 0, 60);
            int head = tx.post(new long[] {hdr, 12, 0}, new long[] {data, 60, 0});
            tx.kick();
            assertEquals(1, f.backend.queue(0).sent.size());
            assertArrayEquals(withHeader(12, frame), f.backend.queue(0).sent.getFirst());
            assertArrayEquals(new int[] {head, 0}, tx.takeUsed());
            assertTrue(f.function.msixNotified.contains(2), "tx completion interrupt on the queue's vector");
            assertEquals(12, f.backend.headerLength, "VERSION_1 means a 12-byte header on the tap");
        }
    }

    @Test
    void transmitWithoutBackendHeaderStripsTheVirtioHeader() {
        try (NicFixture f = new NicFixture(1, false, false, true)) {
            Ring tx = up(f, NicFixture.features())[1];
            long buf = f.driver.alloc(72);
            byte[] frame = ethFrame(new byte[] {1, 2, 3, 4, 5, 6}, 60, 0x33);
            f.mem.write(buf + 12, frame, 0, 60);
            tx.post(new long[] {buf, 72, 0});
            tx.kick();
            assertArrayEquals(frame, f.backend.queue(0).sent.getFirst());
        }
    }

    @Test
    void backendFullKeepsTheChainAndRetriesOnTxReady() {
        try (NicFixture f = new NicFixture(1, false, true, true)) {
            Ring tx = up(f, NicFixture.features())[1];
            long buf = f.driver.alloc(72);
            f.backend.queue(0).full = true;
            tx.post(new long[] {buf, 72, 0});
            tx.kick();
            assertTrue(f.backend.queue(0).sent.isEmpty());
            assertNull(tx.takeUsed(), "not completed while the backend refuses it");
            f.backend.queue(0).full = false;
            f.backend.queue(0).source.txReady();
            assertEquals(1, f.backend.queue(0).sent.size());
            assertNotNull(tx.takeUsed());
        }
    }

    @Test
    void aRefusedFrameIsNotLostAcrossPauseAndMigration() {
        RecordingStateStream stream = new RecordingStateStream();
        byte[] ram;
        try (NicFixture a = new NicFixture(1, false, true, true)) {
            Ring tx = up(a, NicFixture.features())[1];
            a.backend.queue(0).full = true;
            long buf = a.driver.alloc(72);
            a.mem.writeU8(buf + 30, (byte) 0x42);
            tx.post(new long[] {buf, 72, 0});
            tx.kick();
            assertTrue(a.backend.queue(0).sent.isEmpty(), "refused by the full backend");
            a.device.pause();
            a.device.vmstate().saver().save(stream);
            assertEquals(0, a.transport.queue(1).lastAvailIdx(), "the refused chain went back to the ring");
            ram = a.mem.bytes(0, (int) a.mem.size());
        }
        try (NicFixture b = new NicFixture(1, false, true, true)) {
            b.mem.write(0, ram, 0, ram.length);
            b.device.pause();
            b.device.vmstate().loader().load(stream.reader(), 1);
            b.device.resume();
            assertEquals(1, b.backend.queue(0).sent.size(), "the target sends the frame the source could not");
            assertEquals(0x42, b.backend.queue(0).sent.getFirst()[30]);
            assertEquals(1, b.transport.queue(1).usedIdx());
        }
    }

    @Test
    void receiveLandsInGuestBuffersWithNumBuffersOne() {
        try (NicFixture f = new NicFixture(1, false, true, true)) {
            Ring rx = up(f, NicFixture.features())[0];
            long buf = f.driver.alloc(2048);
            int head = rx.post(new long[] {buf, 2048, 1});
            byte[] frame = withHeader(12, ethFrame(NicFixture.MAC, 100, 0x77));
            assertTrue(f.backend.queue(0).deliver(frame));
            assertArrayEquals(new int[] {head, 112}, rx.takeUsed());
            assertEquals(1, f.mem.readU16(buf + 10), "num_buffers is 1 (the spec; QEMU 7.2 leaves it)");
            assertArrayEquals(Arrays.copyOfRange(frame, 12, 112), f.mem.bytes(buf + 12, 100));
            assertTrue(f.function.msixNotified.contains(1));
        }
    }

    @Test
    void receiveWithoutBackendHeaderWritesAZeroHeader() {
        try (NicFixture f = new NicFixture(1, false, false, true)) {
            Ring rx = up(f, NicFixture.features())[0];
            long buf = f.driver.alloc(2048);
            f.mem.write(buf, new byte[] {9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9}, 0, 12);
            rx.post(new long[] {buf, 2048, 1});
            byte[] frame = ethFrame(NicFixture.MAC, 60, 0x11);
            assertTrue(f.backend.queue(0).deliver(frame));
            assertEquals(72, rx.takeUsed()[1]);
            assertArrayEquals(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0}, f.mem.bytes(buf, 12));
            assertArrayEquals(frame, f.mem.bytes(buf + 12, 60));
        }
    }

    @Test
    void mergeableBuffersSpanChainsAndCountThem() {
        try (NicFixture f = new NicFixture(1, false, true, true)) {
            Ring rx = up(f, NicFixture.features(MRG_RXBUF))[0];
            long a = f.driver.alloc(1024);
            long b = f.driver.alloc(1024);
            long c = f.driver.alloc(1024);
            int ha = rx.post(new long[] {a, 1024, 1});
            int hb = rx.post(new long[] {b, 1024, 1});
            rx.post(new long[] {c, 1024, 1});
            byte[] frame = withHeader(12, ethFrame(NicFixture.MAC, 1488, 0x42)); // 1500 bytes
            assertTrue(f.backend.queue(0).deliver(frame));
            assertArrayEquals(new int[] {ha, 1024}, rx.takeUsed());
            assertArrayEquals(new int[] {hb, 1500 - 1024}, rx.takeUsed());
            assertNull(rx.takeUsed());
            assertEquals(2, f.mem.readU16(a + 10), "num_buffers");
            assertArrayEquals(Arrays.copyOfRange(frame, 1024, 1500), f.mem.bytes(b, 476));
            // 1 KiB left is less than a full-size frame needs: the backend must wait, nothing is lost
            assertFalse(f.backend.queue(0).deliver(frame));
            int before = f.backend.queue(0).rxReadyCalls;
            long d = f.driver.alloc(1024);
            rx.post(new long[] {d, 1024, 1});
            rx.kick();
            assertEquals(before + 1, f.backend.queue(0).rxReadyCalls, "a kick with new buffers wakes the backend");
            assertTrue(f.backend.queue(0).deliver(frame));
        }
    }

    @Test
    void noBuffersMeansTheBackendStopsUntilTheDriverPostsSome() {
        try (NicFixture f = new NicFixture(1, false, true, true)) {
            Ring rx = up(f, NicFixture.features())[0];
            int before = f.backend.queue(0).rxReadyCalls;
            assertFalse(f.backend.queue(0).deliver(new byte[100]));
            rx.post(new long[] {f.driver.alloc(2048), 2048, 1});
            rx.kick();
            assertEquals(before + 1, f.backend.queue(0).rxReadyCalls);
        }
    }

    @Test
    void receiveQueueAsksForNoKicksWhileItHasBuffersAndForKicksOnceItRunsDry() {
        try (NicFixture f = new NicFixture(1, false, true, true)) {
            Ring rx = up(f, NicFixture.features())[0];
            rx.post(new long[] {f.driver.alloc(2048), 2048, 1});
            rx.post(new long[] {f.driver.alloc(2048), 2048, 1});
            rx.kick();
            byte[] frame = withHeader(12, ethFrame(NicFixture.MAC, 60, 0x11));
            assertTrue(f.backend.queue(0).deliver(frame));
            assertEquals(1, f.mem.readU16(rx.used) & 1, "VRING_USED_F_NO_NOTIFY while buffers are taken");
            assertTrue(f.backend.queue(0).deliver(frame));
            assertFalse(f.backend.queue(0).deliver(frame), "no buffers left");
            assertEquals(0, f.mem.readU16(rx.used) & 1, "kicks wanted again once the ring is empty");
            int before = f.backend.queue(0).rxReadyCalls;
            rx.post(new long[] {f.driver.alloc(2048), 2048, 1});
            rx.kick();
            assertEquals(before + 1, f.backend.queue(0).rxReadyCalls, "the kick the flag asked for wakes the backend");
            assertTrue(f.backend.queue(0).deliver(frame));
            assertEquals(1, f.mem.readU16(rx.used) & 1);
        }
    }

    /** Sends one control command; returns the ack byte. */
    static int control(NicFixture f, Ring ctrl, int cls, int cmd, byte[] data) {
        long hdr = f.driver.alloc(2 + data.length);
        f.mem.write(hdr, new byte[] {(byte) cls, (byte) cmd}, 0, 2);
        f.mem.write(hdr + 2, data, 0, data.length);
        long ack = f.driver.alloc(1);
        f.mem.writeU8(ack, (byte) 0x7f);
        ctrl.post(new long[] {hdr, 2 + data.length, 0}, new long[] {ack, 1, 1});
        ctrl.kick();
        assertNotNull(ctrl.takeUsed(), "control command completed");
        return f.mem.readU8(ack);
    }

    @Test
    void rxFilterDropsOtherUnicastOnceThePromiscuousModeIsOff() {
        try (NicFixture f = new NicFixture(1, false, true, true)) {
            Ring rx = up(f, NicFixture.features(CTRL_VQ, CTRL_RX, CTRL_RX_EXTRA))[0];
            Ring ctrl = f.driver.setupQueue(2, 64, 0);
            byte[] other = {0x52, 0x54, 0, 0, 0, 9};
            rx.post(new long[] {f.driver.alloc(2048), 2048, 1});
            assertTrue(f.backend.queue(0).deliver(withHeader(12, ethFrame(other, 60, 1))));
            assertNotNull(rx.takeUsed(), "promiscuous after reset, as QEMU");
            assertEquals(0, control(f, ctrl, 0, 0, new byte[] {0}));
            rx.post(new long[] {f.driver.alloc(2048), 2048, 1});
            assertTrue(f.backend.queue(0).deliver(withHeader(12, ethFrame(other, 60, 1))));
            assertNull(rx.takeUsed(), "filtered; the buffer went back to the ring");
            assertTrue(f.backend.queue(0).deliver(withHeader(12, ethFrame(NicFixture.MAC, 60, 1))));
            assertNotNull(rx.takeUsed(), "own address passes");
            rx.post(new long[] {f.driver.alloc(2048), 2048, 1});
            byte[] bcast = {-1, -1, -1, -1, -1, -1};
            assertTrue(f.backend.queue(0).deliver(withHeader(12, ethFrame(bcast, 60, 1))));
            assertNotNull(rx.takeUsed(), "broadcast passes");
            assertEquals(0, control(f, ctrl, 0, 5, new byte[] {1})); // NOBCAST
            rx.post(new long[] {f.driver.alloc(2048), 2048, 1});
            assertTrue(f.backend.queue(0).deliver(withHeader(12, ethFrame(bcast, 60, 1))));
            assertNull(rx.takeUsed(), "nobcast drops broadcast");
            // MAC table with the other address as a unicast entry
            byte[] table = new byte[4 + 6 + 4];
            table[0] = 1;
            System.arraycopy(other, 0, table, 4, 6);
            assertEquals(0, control(f, ctrl, 1, 0, table));
            assertTrue(f.backend.queue(0).deliver(withHeader(12, ethFrame(other, 60, 1))));
            assertNotNull(rx.takeUsed(), "address in the MAC table passes");
            assertEquals(1, control(f, ctrl, 1, 0, new byte[] {5, 0, 0, 0}), "truncated table is an error ack");
            assertEquals(1, control(f, ctrl, 9, 0, new byte[0]), "unknown class");
        }
    }

    @Test
    void queuePairsSetEnablesBackendQueues() {
        try (NicFixture f = new NicFixture(4, true, true, true)) {
            f.driver.negotiate(NicFixture.features(CTRL_VQ, MQ));
            Ring ctrl = f.driver.setupQueue(8, 64, 0);
            f.driver.driverOk();
            assertTrue(f.backend.queue(0).enabled);
            assertFalse(f.backend.queue(3).enabled, "one pair until VQ_PAIRS_SET");
            assertEquals(0, control(f, ctrl, 4, 0, new byte[] {4, 0}));
            for (int i = 0; i < 4; i++) {
                assertTrue(f.backend.queue(i).enabled);
            }
            assertEquals(1, control(f, ctrl, 4, 0, new byte[] {5, 0}), "more pairs than offered");
            assertEquals(1, control(f, ctrl, 4, 0, new byte[] {0, 0}));
            assertEquals(0, control(f, ctrl, 4, 0, new byte[] {2, 0}));
            assertFalse(f.backend.queue(2).enabled);
        }
    }

    @Test
    void transmitAndReceiveOnEveryQueuePair() {
        try (NicFixture f = new NicFixture(4, true, true, true)) {
            f.driver.negotiate(NicFixture.features(CTRL_VQ, MQ));
            Ring[] rx = new Ring[4];
            Ring[] tx = new Ring[4];
            for (int i = 0; i < 4; i++) {
                rx[i] = f.driver.setupQueue(2 * i, 256, 1 + 2 * i);
                tx[i] = f.driver.setupQueue(2 * i + 1, 256, 2 + 2 * i);
            }
            Ring ctrl = f.driver.setupQueue(8, 64, 0);
            f.driver.driverOk();
            assertEquals(0, control(f, ctrl, 4, 0, new byte[] {4, 0}));
            for (int i = 0; i < 4; i++) {
                long buf = f.driver.alloc(100);
                f.mem.writeU8(buf + 20, (byte) i);
                tx[i].post(new long[] {buf, 100, 0});
                tx[i].kick();
                assertEquals(1, f.backend.queue(i).sent.size(), "queue pair " + i + " transmits to backend queue " + i);
                assertEquals(i, f.backend.queue(i).sent.getFirst()[20]);
                long rb = f.driver.alloc(2048);
                rx[i].post(new long[] {rb, 2048, 1});
                assertTrue(f.backend.queue(i).deliver(withHeader(12, ethFrame(NicFixture.MAC, 64, i))));
                assertEquals(76, rx[i].takeUsed()[1]);
                assertTrue(f.function.msixNotified.contains(1 + 2 * i));
            }
        }
    }

    @Test
    void guestOffloadsFollowNegotiationAndTheControlQueue() {
        try (NicFixture f = new NicFixture(1, false, true, true)) {
            up(f, NicFixture.features(GUEST_CSUM, GUEST_TSO4, CTRL_VQ, CTRL_GUEST_OFFLOADS));
            assertEquals(new Offloads(true, true, false, false, false), f.backend.offloads);
            Ring ctrl = f.driver.setupQueue(2, 64, 0);
            assertEquals(0, control(f, ctrl, 5, 0, new byte[8]));
            assertEquals(Offloads.NONE, f.backend.offloads);
            byte[] tso6 = new byte[8];
            tso6[1] = 1; // bit 8
            assertEquals(1, control(f, ctrl, 5, 0, tso6), "not negotiated");
        }
    }

    @Test
    void macAddressSetChangesConfigSpace() {
        try (NicFixture f = new NicFixture(1, false, true, true)) {
            up(f, NicFixture.features(CTRL_VQ, CTRL_MAC_ADDR));
            Ring ctrl = f.driver.setupQueue(2, 64, 0);
            assertEquals(0, control(f, ctrl, 1, 1, new byte[] {2, 0, 0, 0, 0, 7}));
            assertEquals(7, f.driver.read(DEVICE_OFFSET + 5, 1));
            assertEquals(1, control(f, ctrl, 1, 1, new byte[] {2, 0, 0}), "short address");
        }
    }

    @Test
    void pausedDeviceMovesNothingUntilResumed() {
        try (NicFixture f = new NicFixture(1, false, true, true)) {
            Ring[] q = up(f, NicFixture.features());
            f.device.pause();
            q[1].post(new long[] {f.driver.alloc(64), 64, 0});
            q[1].kick();
            assertTrue(f.backend.queue(0).sent.isEmpty(), "no transmit while paused");
            q[0].post(new long[] {f.driver.alloc(2048), 2048, 1});
            assertFalse(f.backend.queue(0).deliver(new byte[64]), "no buffers handed out while paused");
            f.device.resume();
            assertEquals(1, f.backend.queue(0).sent.size(), "the deferred kick runs on resume");
            assertTrue(f.backend.queue(0).deliver(withHeader(12, ethFrame(NicFixture.MAC, 60, 0))));
        }
    }

    @Test
    void intxAndIsrWithoutMsix() {
        try (NicFixture f = new NicFixture(1, false, true, true)) {
            f.function.msixEnabled = false;
            Ring tx = up(f, NicFixture.features())[1];
            tx.post(new long[] {f.driver.alloc(64), 64, 0});
            tx.kick();
            assertTrue(f.function.intx);
            assertEquals(1, f.driver.read(ISR_OFFSET, 1));
            assertFalse(f.function.intx, "reading the ISR lowers the line");
            assertEquals(0, f.driver.read(ISR_OFFSET, 1));
        }
    }

    @Test
    void eventIdxSuppressesInterruptsUntilUsedEventIsPassed() {
        try (NicFixture f = new NicFixture(1, false, true, true)) {
            Ring tx = up(f, NicFixture.features(29))[1]; // VIRTIO_F_EVENT_IDX
            f.mem.writeU16(tx.avail + 4 + 2 * 256, (short) 2); // interrupt once used idx passes 2
            for (int i = 0; i < 3; i++) {
                tx.post(new long[] {f.driver.alloc(64), 64, 0});
                int before = f.function.msixNotified.size();
                tx.kick();
                assertEquals(i == 0 || i == 2 ? before + 1 : before, f.function.msixNotified.size(), "frame " + i);
            }
            assertEquals(3, f.mem.readU16(tx.used + 4 + 8 * 256), "avail_event published for the driver");
        }
    }

    @Test
    void resetByTheDriverStopsQueuesAndRestoresDefaults() {
        try (NicFixture f = new NicFixture(1, false, true, true)) {
            up(f, NicFixture.features(CTRL_VQ, CTRL_MAC_ADDR));
            f.driver.write(COMMON_STATUS, 1, 0);
            assertEquals(0, f.driver.status());
            f.driver.write(COMMON_Q_SELECT, 2, 0);
            assertEquals(0, f.driver.read(COMMON_Q_ENABLE, 2));
            assertEquals(256, f.driver.read(COMMON_Q_SIZE, 2));
            assertEquals(0, f.driver.read(COMMON_GF, 4));
        }
    }

    @Test
    void stateSurvivesASaveAndLoadIntoAFreshDevice() {
        RecordingStateStream stream = new RecordingStateStream();
        byte[] ram;
        try (NicFixture a = new NicFixture(4, true, true, true, OptionalInt.empty(), true)) {
            a.driver.negotiate(NicFixture.features(CTRL_VQ, CTRL_RX, MQ, MRG_RXBUF, GUEST_CSUM, GUEST_TSO4,
                    CTRL_GUEST_OFFLOADS));
            Ring rx = a.driver.setupQueue(0, 256, 1);
            Ring tx = a.driver.setupQueue(1, 256, 2);
            Ring ctrl = a.driver.setupQueue(8, 64, 0);
            a.driver.driverOk();
            assertEquals(0, control(a, ctrl, 4, 0, new byte[] {2, 0}));
            byte[] table = new byte[4 + 4 + 6];
            table[4] = 1;
            System.arraycopy(new byte[] {1, 0, 0x5e, 0, 0, 1}, 0, table, 8, 6);
            assertEquals(0, control(a, ctrl, 1, 0, table));
            byte[] csumOnly = new byte[8];
            csumOnly[0] = 1 << GUEST_CSUM;
            assertEquals(0, control(a, ctrl, 5, 0, csumOnly), "guest switches TSO off, keeps checksum offload");
            tx.post(new long[] {a.driver.alloc(64), 64, 0});
            tx.kick();
            rx.post(new long[] {a.driver.alloc(2048), 2048, 1});
            a.device.pause();
            VmStateDescription d = a.device.vmstate();
            d.saver().save(stream);
            assertTrue(d.subsections().getFirst().needed().getAsBoolean(), "MAC table subsection needed");
            d.subsections().getFirst().saver().save(stream);
            ram = a.mem.bytes(0, (int) a.mem.size());
        }
        try (NicFixture b = new NicFixture(4, true, true, true, OptionalInt.empty(), true)) {
            b.mem.write(0, ram, 0, ram.length);
            b.device.pause();
            VmStateDescription d = b.device.vmstate();
            var in = stream.reader();
            d.loader().load(in, 1);
            d.subsections().getFirst().loader().load(in, 1);
            b.device.resume();
            assertEquals(9, b.driver.read(COMMON_NUMQ, 2));
            assertTrue(b.backend.queue(1).enabled);
            assertFalse(b.backend.queue(2).enabled, "two pairs in use, as saved");
            assertEquals(12, b.backend.headerLength);
            assertEquals(1, b.device.filter().multicast().size());
            assertEquals(new Offloads(true, false, false, false, false), b.backend.offloads,
                    "the offloads the guest set through the control queue, not the negotiated ones");
            // The rx buffer posted before the save is still there for the target
            assertTrue(b.backend.queue(0).deliver(withHeader(12, ethFrame(NicFixture.MAC, 60, 3))));
            // Transmit continues where the source stopped
            assertEquals(1, b.transport.queue(1).usedIdx());
            assertEquals(1, b.transport.queue(1).lastAvailIdx());
            assertEquals(1, b.transport.queue(0).usedIdx(), "the frame delivered on the target");
        }
    }

    @Test
    void loadDoesNotDetachTheBackendQueuesOnTheWay() {
        // A local-migration target's tap already has the source's queues attached when the NIC loads;
        // detaching one on the way (the reset inside the restore) costs an RCU grace period and drops
        // the frames waiting on it.
        RecordingStateStream stream = new RecordingStateStream();
        byte[] ram;
        try (NicFixture a = new NicFixture(4, true, true, true, OptionalInt.empty(), true)) {
            a.driver.negotiate(NicFixture.features(CTRL_VQ, MQ));
            Ring ctrl = a.driver.setupQueue(8, 64, 0);
            a.driver.driverOk();
            assertEquals(0, control(a, ctrl, 4, 0, new byte[] {4, 0}));
            a.device.pause();
            a.device.vmstate().saver().save(stream);
            ram = a.mem.bytes(0, (int) a.mem.size());
        }
        try (NicFixture b = new NicFixture(4, true, true, true, OptionalInt.empty(), true)) {
            b.mem.write(0, ram, 0, ram.length);
            b.device.pause();
            for (int i = 0; i < 4; i++) {
                b.backend.queue(i).enabled = true;
                b.backend.queue(i).detaches = 0;
            }
            b.device.vmstate().loader().load(stream.reader(), 1);
            for (int i = 0; i < 4; i++) {
                assertTrue(b.backend.queue(i).enabled, "queue " + i + " in use, as saved");
                assertEquals(0, b.backend.queue(i).detaches, "queue " + i + " detached during the load");
            }
        }
    }

    @Test
    void afterLoadAGuestWithGuestAnnounceIsAskedToAnnounceItself() {
        RecordingStateStream stream = new RecordingStateStream();
        byte[] ram;
        try (NicFixture a = new NicFixture(1, false, true, true)) {
            up(a, NicFixture.features(CTRL_VQ, GUEST_ANNOUNCE));
            a.driver.setupQueue(2, 64, 0);
            a.device.pause();
            a.device.vmstate().saver().save(stream);
            ram = a.mem.bytes(0, (int) a.mem.size());
        }
        try (NicFixture b = new NicFixture(1, false, true, true)) {
            b.mem.write(0, ram, 0, ram.length);
            b.device.pause();
            b.device.vmstate().loader().load(stream.reader(), 1);
            assertTrue(b.function.msixNotified.isEmpty(), "nothing is signalled while paused");
            b.device.resume();
            assertEquals(1 | 2, b.driver.read(DEVICE_OFFSET + 6, 2), "status: LINK_UP | ANNOUNCE");
            assertTrue(b.function.msixNotified.contains(0), "config change interrupt on resume");
        }
    }

    @Test
    void announceAckClearsTheAnnounceBit() {
        try (NicFixture f = new NicFixture(1, false, true, true)) {
            up(f, NicFixture.features(CTRL_VQ, GUEST_ANNOUNCE));
            Ring ctrl = f.driver.setupQueue(2, 64, 0);
            assertEquals(1, control(f, ctrl, 3, 0, new byte[0]), "nothing to acknowledge yet");
            f.device.announce();
            assertEquals(3, f.driver.read(DEVICE_OFFSET + 6, 2));
            assertEquals(0, control(f, ctrl, 3, 0, new byte[0]));
            assertEquals(1, f.driver.read(DEVICE_OFFSET + 6, 2));
        }
    }

    @Test
    void theRegisteredStateTellsTheMigrationEngineAboutTheOptIn() {
        try (NicFixture on = new NicFixture(1, false, true, true, OptionalInt.empty(), true);
                NicFixture off = new NicFixture(1, false, true, true)) {
            io.jvmm.spi.vmstate.VmStateful registered = on.device;
            var optIn = assertInstanceOf(io.jvmm.spi.migration.LocalMigrationOptIn.class, registered);
            assertTrue(optIn.localMigrationEnabled());
            assertEquals("net0", optIn.backendId());
            assertFalse(((io.jvmm.spi.migration.LocalMigrationOptIn) off.device).localMigrationEnabled());
        }
    }

    @Test
    void loadRefusesALocalMigrationMismatchAndWrongQueueCount() {
        RecordingStateStream stream = new RecordingStateStream();
        try (NicFixture a = new NicFixture(4, true, true, true, OptionalInt.empty(), true)) {
            a.device.vmstate().saver().save(stream);
        }
        try (NicFixture b = new NicFixture(4, true, true, true, OptionalInt.empty(), false)) {
            VmStateException e = assertThrows(VmStateException.class, () -> b.device.vmstate().loader().load(stream.reader(), 1));
            assertTrue(e.getMessage().contains("local-migration"), e.getMessage());
        }
        try (NicFixture c = new NicFixture(2, true, true, true, OptionalInt.empty(), true)) {
            VmStateException e = assertThrows(VmStateException.class, () -> c.device.vmstate().loader().load(stream.reader(), 1));
            assertTrue(e.getMessage().contains("queue_count"), e.getMessage());
        }
    }

    @Test
    void legacyDriverCanNegotiateAndTransmit() {
        try (NicFixture f = new NicFixture(1, false, true, true)) {
            var io = f.transport.bars().stream().filter(b -> b.index() == 0).findFirst().orElseThrow().handler();
            f.function.msixEnabled = false;
            io.write(LEGACY_STATUS, 1, 3);
            io.write(LEGACY_GUEST_FEATURES, 4, 1L << MRG_RXBUF);
            long ring = f.driver.alloc(3 * 4096 * 4);
            io.write(LEGACY_QUEUE_SEL, 2, 1);
            assertEquals(256, io.read(LEGACY_QUEUE_NUM, 2));
            io.write(LEGACY_QUEUE_PFN, 4, ring >>> 12);
            io.write(LEGACY_STATUS, 1, 7);
            long desc = ring;
            long avail = ring + 16 * 256;
            long buf = f.driver.alloc(80);
            f.mem.writeU64(desc, buf);
            f.mem.writeU32(desc + 8, 80);
            f.mem.writeU16(avail + 4, (short) 0);
            f.mem.writeU16(avail + 2, (short) 1);
            io.write(LEGACY_QUEUE_NOTIFY, 2, 1);
            assertEquals(1, f.backend.queue(0).sent.size());
            assertEquals(12, f.backend.headerLength, "MRG_RXBUF: 12-byte header");
            assertEquals(1, io.read(LEGACY_ISR, 1));
            assertTrue(VirtioFeature.has(f.transport.negotiatedFeatures(), MRG_RXBUF));
        }
    }
}
