package io.jvmm.plugin.virtio.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class DataPathWarmupTest {

    @Test
    void everyFrameGoesThroughTheReceiveAndTransmitPathsWithAndWithoutInterrupts() {
        for (boolean interrupts : new boolean[] {true, false}) {
            long t0 = System.nanoTime();
            DataPathWarmup.Moved moved = DataPathWarmup.run(3000, interrupts);
            System.out.printf("warm-up, interrupts %s: %s in %d ms%n", interrupts, moved, (System.nanoTime() - t0) / 1_000_000);
            assertEquals(3000, moved.received(), "frames received through the rx ring");
            assertEquals(3000, moved.transmitted(), "frames transmitted through the tx ring");
        }
    }
}
