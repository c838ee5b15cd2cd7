package io.jvmm.plugin.virtio.net;

import static io.jvmm.plugin.virtio.transport.VirtioPciLayout.*;
import static org.junit.jupiter.api.Assertions.*;

import io.jvmm.plugin.virtio.warmup.MiniDriver.Ring;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A driver writing garbage: random descriptor tables, ring indices and register values, on every
 * queue and through the backend's receive path. Nothing may escape into the VMM (no exception from
 * a register access or the data path), nothing may hang, and after a reset the device must work.
 * Fixed seeds, so a failure reproduces.
 */
class RandomRingTest {

    @Test
    @Timeout(60)
    void garbageRingsNeverEscapeOrHang() {
        for (long seed = 1; seed <= 300; seed++) {
            Random rnd = new Random(seed);
            try (NicFixture f = new NicFixture(2, true, true, true)) {
                f.driver.negotiate(NicFixture.features(VirtioNetFeature.CTRL_VQ, VirtioNetFeature.MQ,
                        VirtioNetFeature.MRG_RXBUF, 28, 29));
                Ring[] rings = new Ring[5];
                for (int q = 0; q < 5; q++) {
                    rings[q] = f.driver.setupQueue(q, q == 4 ? 64 : 256, rnd.nextInt(8));
                }
                f.driver.driverOk();
                long ram = f.mem.size();
                final long s = seed;
                for (int round = 0; round < 20; round++) {
                    Ring r = rings[rnd.nextInt(5)];
                    int n = 1 + rnd.nextInt(8);
                    for (int i = 0; i < n; i++) {
                        long addr = switch (rnd.nextInt(4)) {
                            case 0 -> rnd.nextLong();
                            case 1 -> ram - rnd.nextInt(64);
                            default -> rnd.nextInt((int) ram);
                        };
                        int len = rnd.nextInt(3) == 0 ? rnd.nextInt() : rnd.nextInt(4096);
                        r.writeDesc(rnd.nextInt(r.size), addr, len, rnd.nextInt(8), rnd.nextInt(rnd.nextBoolean() ? r.size : 65536));
                    }
                    if (rnd.nextInt(5) == 0) {
                        r.setAvailIdx(rnd.nextInt(65536));
                    } else {
                        r.publishHead(rnd.nextInt(r.size + 2));
                    }
                    assertDoesNotThrow(() -> r.kick(), "seed " + s);
                    int pair = rnd.nextInt(2);
                    assertDoesNotThrow(() -> f.backend.queue(pair).deliver(new byte[14 + rnd.nextInt(1500)]), "seed " + s);
                    if (rnd.nextInt(10) == 0) {
                        int off = rnd.nextInt(0x40);
                        int size = 1 << rnd.nextInt(3);
                        assertDoesNotThrow(() -> f.driver.write(off - off % size, size, rnd.nextLong()), "seed " + s);
                    }
                }
                // whatever state the garbage left, a reset brings the device back
                f.driver.write(COMMON_STATUS, 1, 0);
                Ring tx = VirtioNetDataPathTest.up(f, NicFixture.features())[1];
                assertFalse(f.transport.needsReset(), "seed " + seed);
                f.backend.queue(0).sent.clear();
                tx.post(new long[] {f.driver.alloc(64), 64, 0});
                tx.kick();
                assertEquals(1, f.backend.queue(0).sent.size(), "seed " + seed);
            }
        }
    }
}
