package io.jvmm.plugin.virtio.net;

import io.jvmm.plugin.virtio.transport.VirtioFeature;
import io.jvmm.plugin.virtio.transport.VirtioPciLayout;
import io.jvmm.plugin.virtio.transport.VirtioPciTransport;
import io.jvmm.plugin.virtio.warmup.BackgroundPriority;
import io.jvmm.plugin.virtio.warmup.DetachedPciFunction;
import io.jvmm.plugin.virtio.warmup.LoopbackNetBackend;
import io.jvmm.plugin.virtio.warmup.MiniDriver;
import io.jvmm.plugin.virtio.warmup.RecordingStateStream;
import io.jvmm.plugin.virtio.warmup.ScratchGuestMemory;
import io.jvmm.spi.net.Offloads;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the NIC's data path (transport registers, split rings, receive and transmit, the virtio
 * header, interrupts) on a private device: scratch memory, a loopback backend and a minimal driver,
 * nothing the guest can see. A JIT-compiled VMM pays for the first runs of a code path: a migration
 * target that starts moving 20,000 frames/s right after its RESUME ran this plugin's data path in
 * the interpreter while the JIT caught up (67 of its methods compiled in the first 0.5 s, measured
 * with -Xlog:jit+compilation), and drained the tap queues more slowly than frames arrived. Run at
 * start-up on a background thread, the same methods are compiled before the VM ever carries traffic.
 */
final class DataPathWarmup {
    private static final Logger log = LoggerFactory.getLogger(DataPathWarmup.class);
    private static final byte[] MAC = {0x52, 0x54, 0x00, 0x00, 0x00, 0x01};
    private static final int RING = 256;
    private static final int BUFFER = 2048;
    private static final int HEADER = 12;
    /** CFS weight 335 against 1024 at nice 0: a third of a busy thread's share. */
    private static final int WARMUP_NICE = 5;
    private static final int SAVE_LOAD_ROUNDS = 20;

    private DataPathWarmup() {
    }

    /** Starts warming on a daemon thread; returns at once. */
    static void startInBackground(int frames) {
        Thread.ofPlatform().daemon().name("virtio-net-warmup").start(() -> {
            long t0 = System.nanoTime();
            // Below the VM's own threads: on a migration target this runs while the source still
            // carries the guest's traffic on the same cores. Not lower: it must be done by the switchover.
            BackgroundPriority.lowerCurrentThread(WARMUP_NICE);
            try {
                // as the guests run the NIC: one driver with interrupts (MSI-X), one polling without
                run(frames / 2, true);
                run(frames / 2, false);
                log.debug("virtio-net data path warmed with {} frames in {} ms", frames, (System.nanoTime() - t0) / 1_000_000);
            } catch (RuntimeException | Error e) {
                log.debug("virtio-net warm-up failed (the device itself is not affected): {}", e.toString());
            }
        });
    }

    /** Frames moved each way by one {@link #run}: {received, transmitted}. */
    record Moved(long received, long transmitted) {
    }

    /** A private NIC: device, transport and function on {@code mem}, with its own loopback backend. */
    private record Nic(VirtioNetDevice device, VirtioPciTransport transport, DetachedPciFunction function,
            LoopbackNetBackend backend) {
        static Nic on(ScratchGuestMemory mem, boolean interrupts) {
            LoopbackNetBackend backend = new LoopbackNetBackend(1, true, new Offloads(true, true, true, true, true));
            VirtioNetConfig config = new VirtioNetConfig(MAC.clone(), false, OptionalInt.empty(), "on", -1, "pcie.0",
                    "warmup", true, OptionalInt.empty());
            VirtioNetDevice device = new VirtioNetDevice("warmup", config, backend);
            VirtioPciTransport transport = new VirtioPciTransport("warmup", device, mem, false, 4, 0x020000);
            device.attach(transport);
            DetachedPciFunction function = new DetachedPciFunction(mem, transport);
            function.msixEnabled = interrupts;
            transport.realized(function);
            return new Nic(device, transport, function, backend);
        }
    }

    /**
     * Saves the device's state and loads it into a fresh one, as a migration does: the first save and
     * load of a device class links its lambdas and record methods, which on a target would happen inside
     * the switchover (its NIC section took 8-36 ms to load cold).
     */
    private static void saveAndLoad(ScratchGuestMemory mem, ScratchGuestMemory copy, Nic source, boolean interrupts,
            byte[] frame) {
        RecordingStateStream stream = new RecordingStateStream();
        source.device().pause();
        var saved = source.device().vmstate();
        saved.saver().save(stream);
        for (var sub : saved.subsections()) {
            if (sub.needed().getAsBoolean()) {
                sub.saver().save(stream);
            }
        }
        source.device().resume();
        copy.slice(0, mem.size()).copyFrom(mem.slice(0, mem.size())); // the rings, as shared RAM would have them
        Nic target = Nic.on(copy, interrupts);
        target.device().pause();
        var d = target.device().vmstate();
        var in = stream.reader();
        d.loader().load(in, d.version());
        target.device().resume();
        target.backend().queue(0).deliver(frame);
    }

    static Moved run(int frames, boolean interrupts) {
        try (ScratchGuestMemory mem = new ScratchGuestMemory(4 << 20)) {
            Nic nic = Nic.on(mem, interrupts);
            VirtioNetDevice device = nic.device();
            LoopbackNetBackend backend = nic.backend();
            DetachedPciFunction function = nic.function();
            VirtioPciTransport transport = nic.transport();
            device.resume();
            MiniDriver driver = new MiniDriver(mem, transport);
            long features = VirtioFeature.bit(VirtioFeature.VERSION_1) | 1L << VirtioNetFeature.MAC
                    | 1L << VirtioNetFeature.STATUS | (interrupts ? 1L << VirtioNetFeature.MRG_RXBUF : 0);
            driver.negotiate(features);
            int noVector = 0xffff;
            driver.write(VirtioPciLayout.COMMON_MSIX, 2, interrupts ? 0 : noVector);
            MiniDriver.Ring rx = driver.setupQueue(0, RING, interrupts ? 1 : noVector);
            MiniDriver.Ring tx = driver.setupQueue(1, RING, interrupts ? 2 : noVector);
            driver.driverOk();
            long rxBuffers = driver.alloc((long) RING * BUFFER);
            long txBuffers = driver.alloc((long) RING * BUFFER);
            byte[] frame = udpFrame();
            mem.write(txBuffers, new byte[HEADER], 0, HEADER);
            for (int i = 0; i < RING; i++) {
                mem.write(txBuffers + (long) i * BUFFER + HEADER, frame, 0, frame.length);
            }
            for (int i = 0; i < RING / 2; i++) {
                rx.post(new long[] {rxBuffers + (long) i * BUFFER, BUFFER, 1});
            }
            rx.kick();
            byte[] withHeader = new byte[HEADER + frame.length];
            System.arraycopy(frame, 0, withHeader, HEADER, frame.length);
            LoopbackNetBackend.Queue queue = backend.queue(0);
            long received = 0;
            long transmitted = 0;
            for (int n = 0; n < frames; n++) {
                // receive: the backend's thread fills a buffer; the driver takes it and posts it again
                if (queue.deliver(withHeader)) {
                    int[] used = rx.takeUsed();
                    received += used != null ? 1 : 0;
                    if (used != null) {
                        rx.post(new long[] {rxBuffers + (long) (n % (RING / 2)) * BUFFER, BUFFER, 1});
                    }
                } else {
                    rx.kick();
                }
                // transmit: the driver queues a frame behind the header and kicks
                tx.post(new long[] {txBuffers + (long) (n % RING) * BUFFER, HEADER + frame.length, 0});
                tx.kick();
                while (tx.takeUsed() != null) {
                    transmitted++;
                }
                if ((n & 63) == 0) {
                    queue.sent.clear();
                    function.msixNotified.clear();
                }
            }
            try (ScratchGuestMemory copy = new ScratchGuestMemory(mem.size())) {
                for (int i = 0; i < SAVE_LOAD_ROUNDS; i++) {
                    saveAndLoad(mem, copy, nic, interrupts, withHeader);
                }
            }
            driver.write(VirtioPciLayout.COMMON_STATUS, 1, 0); // reset: the device lets go of the rings
            return new Moved(received, transmitted);
        }
    }

    /** An IPv4/UDP frame to the warm-up device's own address (its receive filter lets it through). */
    private static byte[] udpFrame() {
        byte[] f = new byte[64];
        System.arraycopy(MAC, 0, f, 0, 6);
        f[6] = 0x52;
        f[7] = 0x54;
        f[11] = 0x02;
        f[12] = 0x08;
        f[14] = 0x45;
        f[17] = 50; // total length
        f[22] = 64; // ttl
        f[23] = 17; // udp
        f[26] = (byte) 192;
        f[27] = (byte) 168;
        f[30] = (byte) 192;
        f[31] = (byte) 168;
        f[35] = 7; // destination port 7 (echo)
        f[37] = 30;
        return f;
    }
}
