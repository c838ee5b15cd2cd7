package io.jvmm.plugin.virtio.net;

import static io.jvmm.plugin.virtio.transport.VirtioPciLayout.*;
import static org.junit.jupiter.api.Assertions.*;

import io.jvmm.plugin.virtio.warmup.MiniDriver.Ring;
import io.jvmm.plugin.virtio.transport.VirtioStatus;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/**
 * An untrusted driver: each broken ring must set DEVICE_NEEDS_RESET, send nothing, touch nothing
 * outside guest RAM, throw nothing into the VMM, and the device must work again after a reset.
 */
class MalformedRingTest {
    private static final long RAM = 4 << 20;

    /** Runs {@code breakRing} on the transmit queue, kicks, and checks the device's reaction. */
    private static void assertNeedsReset(BiConsumer<NicFixture, Ring> breakRing) {
        try (NicFixture f = new NicFixture(1, false, true, true)) {
            Ring tx = VirtioNetDataPathTest.up(f, NicFixture.features())[1];
            breakRing.accept(f, tx);
            assertDoesNotThrow(tx::kick);
            assertTrue(f.transport.needsReset());
            assertEquals(VirtioStatus.DEVICE_NEEDS_RESET, f.driver.status() & VirtioStatus.DEVICE_NEEDS_RESET);
            assertTrue(f.backend.queue(0).sent.isEmpty(), "nothing sent from a broken ring");
            assertTrue(f.function.msixNotified.contains(0), "config change interrupt on the config vector");
            assertDoesNotThrow(tx::kick, "further kicks are ignored");
            // the driver resets and starts over: the device works again
            Ring tx2 = VirtioNetDataPathTest.up(f, NicFixture.features())[1];
            assertFalse(f.transport.needsReset());
            tx2.post(new long[] {f.driver.alloc(64), 64, 0});
            tx2.kick();
            assertEquals(1, f.backend.queue(0).sent.size());
        }
    }

    @Test
    void descriptorLoop() {
        assertNeedsReset((f, tx) -> {
            tx.writeDesc(0, f.driver.alloc(64), 64, 1, 1);
            tx.writeDesc(1, f.driver.alloc(64), 64, 1, 0);
            tx.publishHead(0);
        });
    }

    @Test
    void selfLoop() {
        assertNeedsReset((f, tx) -> {
            tx.writeDesc(5, f.driver.alloc(64), 64, 1, 5);
            tx.publishHead(5);
        });
    }

    @Test
    void bufferOutsideRam() {
        assertNeedsReset((f, tx) -> {
            tx.writeDesc(0, RAM - 10, 64, 0, 0);
            tx.publishHead(0);
        });
    }

    @Test
    void lengthThatOverflowsTheAddress() {
        assertNeedsReset((f, tx) -> {
            tx.writeDesc(0, 0xffff_ffff_ffff_fff0L, 0x20, 0, 0);
            tx.publishHead(0);
        });
    }

    @Test
    void fourGigabyteLength() {
        assertNeedsReset((f, tx) -> {
            tx.writeDesc(0, 0x1000, 0xffffffff, 0, 0);
            tx.publishHead(0);
        });
    }

    @Test
    void headIndexOutsideTheTable() {
        assertNeedsReset((f, tx) -> tx.publishHead(256));
    }

    @Test
    void nextIndexOutsideTheTable() {
        assertNeedsReset((f, tx) -> {
            tx.writeDesc(0, f.driver.alloc(64), 64, 1, 4000);
            tx.publishHead(0);
        });
    }

    @Test
    void availableIndexJumpsPastTheQueueSize() {
        assertNeedsReset((f, tx) -> tx.setAvailIdx(300));
    }

    @Test
    void chainLongerThanTheQueue() {
        // every descriptor links to the next, the last back to the first: 256 + 1 descriptors
        assertNeedsReset((f, tx) -> {
            long buf = f.driver.alloc(64);
            for (int i = 0; i < 256; i++) {
                tx.writeDesc(i, buf, 64, 1, (i + 1) % 256);
            }
            tx.publishHead(0);
        });
    }

    @Test
    void indirectTableInsideAnIndirectTable() {
        assertNeedsReset((f, tx) -> {
            long table = f.driver.alloc(32);
            f.mem.writeU64(table, table);
            f.mem.writeU32(table + 8, 32);
            f.mem.writeU16(table + 12, (short) 4);
            tx.writeDesc(0, table, 32, 4, 0);
            tx.publishHead(0);
        });
    }

    @Test
    void indirectTableWithBadLengthOrOutsideRam() {
        assertNeedsReset((f, tx) -> {
            tx.writeDesc(0, f.driver.alloc(64), 20, 4, 0);
            tx.publishHead(0);
        });
        assertNeedsReset((f, tx) -> {
            tx.writeDesc(0, RAM - 16, 64, 4, 0);
            tx.publishHead(0);
        });
    }

    @Test
    void indirectTableLoop() {
        assertNeedsReset((f, tx) -> {
            long table = f.driver.alloc(32);
            long buf = f.driver.alloc(64);
            for (int i = 0; i < 2; i++) {
                f.mem.writeU64(table + 16 * i, buf);
                f.mem.writeU32(table + 16 * i + 8, 64);
                f.mem.writeU16(table + 16 * i + 12, (short) 1);
                f.mem.writeU16(table + 16 * i + 14, (short) (1 - i));
            }
            tx.writeDesc(0, table, 32, 4, 0);
            tx.publishHead(0);
        });
    }

    @Test
    void transmitChainShorterThanTheHeader() {
        assertNeedsReset((f, tx) -> {
            tx.writeDesc(0, f.driver.alloc(8), 8, 0, 0);
            tx.publishHead(0);
        });
    }

    @Test
    void indirectDescriptorsWork() {
        try (NicFixture f = new NicFixture(1, false, true, true)) {
            Ring tx = VirtioNetDataPathTest.up(f, NicFixture.features(28))[1];
            long table = f.driver.alloc(32);
            long a = f.driver.alloc(12);
            long b = f.driver.alloc(50);
            f.mem.writeU64(table, a);
            f.mem.writeU32(table + 8, 12);
            f.mem.writeU16(table + 12, (short) 1);
            f.mem.writeU16(table + 14, (short) 1);
            f.mem.writeU64(table + 16, b);
            f.mem.writeU32(table + 24, 50);
            tx.writeDesc(3, table, 32, 4, 0);
            tx.publishHead(3);
            tx.kick();
            assertFalse(f.transport.needsReset());
            assertEquals(62, f.backend.queue(0).sent.getFirst().length);
            assertArrayEquals(new int[] {3, 0}, tx.takeUsed());
        }
    }

    @Test
    void ringsOutsideRamAreRefusedAtQueueEnable() {
        try (NicFixture f = new NicFixture(1, false, true, true)) {
            f.driver.negotiate(NicFixture.features());
            f.driver.write(COMMON_Q_SELECT, 2, 1);
            f.driver.write(COMMON_Q_DESCLO, 4, RAM - 16);
            f.driver.write(COMMON_Q_AVAILLO, 4, 0x2000);
            f.driver.write(COMMON_Q_USEDLO, 4, 0x3000);
            f.driver.write(COMMON_Q_ENABLE, 2, 1);
            assertTrue(f.transport.needsReset());
            assertEquals(0, f.driver.read(COMMON_Q_ENABLE, 2));
        }
    }

    @Test
    void receiveChainWithoutWritableBuffer() {
        try (NicFixture f = new NicFixture(1, false, true, true)) {
            Ring rx = VirtioNetDataPathTest.up(f, NicFixture.features())[0];
            rx.post(new long[] {f.driver.alloc(2048), 2048, 0});
            assertFalse(f.backend.queue(0).deliver(new byte[80]));
            assertTrue(f.transport.needsReset());
        }
    }

    @Test
    void queueSizeThatIsNotAPowerOfTwoIsIgnored() {
        try (NicFixture f = new NicFixture(1, false, true, true)) {
            f.driver.negotiate(NicFixture.features());
            f.driver.write(COMMON_Q_SELECT, 2, 0);
            f.driver.write(COMMON_Q_SIZE, 2, 100);
            assertEquals(256, f.driver.read(COMMON_Q_SIZE, 2));
            f.driver.write(COMMON_Q_SIZE, 2, 1024);
            assertEquals(256, f.driver.read(COMMON_Q_SIZE, 2));
            f.driver.write(COMMON_Q_SIZE, 2, 64);
            assertEquals(64, f.driver.read(COMMON_Q_SIZE, 2));
        }
    }
}
