package io.jvmm.plugin.tap;

import io.jvmm.spi.net.NetQueue;
import io.jvmm.spi.net.RxSink;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Frames per second through the tap backend beside a minimal single-threaded poll/read/write loop
 * on a tap descriptor, in one run, same host, same traffic (distribution/bench/tap-bench.sh).
 *
 * <ul>
 *   <li>rx one-way: N frames queued in the kernel while the reader is stopped (txqueuelen raised),
 *       then timed until all are read: the reader's drain rate, independent of the sender.
 *   <li>echo drain: the same, and each frame is written back with addresses swapped.
 *   <li>tx one-way: N frames written through the tap into the kernel (to an address the namespace
 *       drops).
 *   <li>echo: a UDP client in the namespace keeps a window of datagrams in flight; the reader swaps
 *       addresses and writes each frame back; replies per second at the client.
 * </ul>
 * Args: [seconds of echo per round, default 0.5] [--virtual: I/O threads as virtual threads]
 * [--handover: only the local-migration handover figures]
 * [--threads: the backend with platform against virtual I/O threads].
 */
@SuppressWarnings("try") // Side.close() may be interrupted joining the loop's thread; a benchmark just fails then
public final class TapBench {
    private static final int RX_FRAMES = 60_000;
    private static final int ROUNDS = 5;
    private static final int WINDOW = 64;

    private TapBench() {
    }

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 && !args[0].startsWith("--") ? Double.parseDouble(args[0]) : 0.5;
        boolean virtual = Arrays.asList(args).contains("--virtual");
        TapTestEnv.requireTap();
        System.out.printf(Locale.ROOT, "tap backend benchmark: %d cores, I/O threads %s; %d frames or %.1f s of echo "
                + "per round, %d rounds alternating backend and loop after a warm-up round each, medians; echo window %d%n",
                Runtime.getRuntime().availableProcessors(), virtual ? "virtual" : "platform", RX_FRAMES, seconds, ROUNDS,
                WINDOW);
        if (Arrays.asList(args).contains("--handover")) {
            handover(virtual);
            return;
        }
        if (Arrays.asList(args).contains("--threads")) {
            // The backend with platform I/O threads against the same backend with virtual ones.
            System.out.printf(Locale.ROOT, "%-12s %6s %16s %16s %7s%n", "case", "frame", "platform fr/s", "virtual fr/s",
                    "ratio");
            for (int frame : new int[] {64, 1500}) {
                for (Mode mode : new Mode[] {Mode.RX, Mode.ECHO_DRAIN, Mode.ECHO}) {
                    compare(mode.name().toLowerCase(Locale.ROOT), frame, new BackendSide(mode, frame, seconds, false),
                            new BackendSide(mode, frame, seconds, true));
                }
            }
            return;
        }
        System.out.printf(Locale.ROOT, "%-12s %6s %16s %16s %7s%n", "case", "frame", "backend fr/s", "loop fr/s", "ratio");
        for (int frame : new int[] {64, 1500}) {
            for (Mode mode : Mode.values()) {
                String name = switch (mode) {
                    case RX -> "rx one-way";
                    case ECHO_DRAIN -> "echo drain";
                    case TX -> "tx one-way";
                    case ECHO -> "echo";
                };
                compare(name, frame, new BackendSide(mode, frame, seconds, virtual), new LoopSide(mode, frame, seconds));
            }
        }
        handover(virtual);
    }

    /**
     * The tap's share of a local migration's switchover, 4 queues: the source's save (descriptor
     * fields), the target's load (TUNGETIFF checks and adoption), the source's handedOver(), and the
     * target's resume until its first frame (queued during the switchover) is read.
     */
    private static void handover(boolean virtual) throws Exception {
        List<Double> save = new ArrayList<>();
        List<Double> load = new ArrayList<>();
        List<Double> firstFrame = new ArrayList<>();
        List<Double> handed = new ArrayList<>();
        // Warm the test's stand-in codec, so the first round's figures are the tap's own cold costs.
        io.jvmm.spi.vmstate.VmStateDescription dummy = new io.jvmm.spi.vmstate.VmStateDescription("warm", 1, 1,
                out -> out.u32("x", 1), (in, v) -> in.u32("x"));
        for (int i = 0; i < 100; i++) {
            MemoryVmState m = new MemoryVmState(true);
            dummy.saver().save(m);
            m.loadInto(dummy);
        }
        int rounds = 20;
        for (int r = 0; r <= rounds; r++) {
            String ifname = TapTestEnv.uniqueName("jvb");
            TapConfig sc = TapConfig.parse("bench", TapProps.of("ifname", ifname, "queues", 4L, "script", "no",
                    "downscript", "no"), false);
            TapConfig tc = TapConfig.parse("bench", TapProps.of("incoming-fds", true, "queues", 4L, "downscript", "no"),
                    true);
            try (TapBackend source = TapBackend.create(sc, !virtual); TapBackend target = TapBackend.create(tc, !virtual);
                    TapLab lab = lab(ifname)) {
                source.resume();
                List<CountingSink> sinks = new ArrayList<>();
                java.util.concurrent.CountDownLatch firstFrameLatch = new java.util.concurrent.CountDownLatch(1);
                AtomicLong firstFrameAt = new AtomicLong();
                for (NetQueue q : target.queues()) {
                    CountingSink s = new CountingSink(64, 2048, null);
                    s.onFirstFrame = () -> {
                        firstFrameAt.compareAndSet(0, System.nanoTime());
                        firstFrameLatch.countDown();
                    };
                    sinks.add(s);
                    q.attach(s, s);
                }
                source.pause();
                flood(lab, 64, 64);
                long t0 = System.nanoTime();
                MemoryVmState stream = new MemoryVmState(true);
                source.vmstate().saver().save(stream);
                long t1 = System.nanoTime();
                stream.loadInto(target.vmstate());
                long tLoaded = System.nanoTime();
                source.handedOver();
                long t2 = System.nanoTime();
                target.resume();
                // Blocking wait (a spinning waiter would take one of the two cores from the I/O thread).
                if (!firstFrameLatch.await(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    throw new IllegalStateException("no frame after the handover");
                }
                long t3 = firstFrameAt.get();
                if (r > 0) {
                    save.add((t1 - t0) / 1e3);
                    load.add((tLoaded - t1) / 1e3);
                    handed.add((t2 - tLoaded) / 1e3);
                    firstFrame.add((t3 - t2) / 1e3);
                } else {
                    System.out.printf(Locale.ROOT, "handover, 4 queues, first in this JVM (cold, microseconds): save %.0f, "
                            + "load (checks + adopt) %.0f, source handedOver %.0f, resume to first frame %.0f%n",
                            (t1 - t0) / 1e3, (tLoaded - t1) / 1e3, (t2 - tLoaded) / 1e3, (t3 - t2) / 1e3);
                }
                target.pause();
                sinks.forEach(CountingSink::close);
            }
        }
        System.out.printf(Locale.ROOT, "handover, 4 queues (median of %d, microseconds): save %.0f, load (checks + adopt) "
                + "%.0f, source handedOver %.0f, resume to first frame %.0f%n", rounds, median(save), median(load),
                median(handed), median(firstFrame));
    }

    private static void row(String name, int frame, double backend, double loop) {
        System.out.printf(Locale.ROOT, "%-12s %6d %16.0f %16.0f %7.2f%n", name, frame, backend, loop, backend / loop);
    }

    // ---- setup ---------------------------------------------------------------------------------

    private static TapBackend backend(String ifname, boolean virtual) {
        TapConfig config = TapConfig.parse("bench", TapProps.of("ifname", ifname, "vnet_hdr", false, "script", "no",
                "downscript", "no"), false);
        return TapBackend.create(config, !virtual);
    }

    /** The baseline's tap: one blocking-free descriptor opened the plain way. */
    private static int rawTap(Arena arena, MemorySegment st, String ifname) {
        int fd = TapNative.open(st, arena.allocateFrom("/dev/net/tun"),
                TapNative.O_RDWR | TapNative.O_CLOEXEC | TapNative.O_NONBLOCK);
        if (fd < 0 || TapNative.ioctl(st, fd, TapNative.TUNSETIFF,
                TapNative.ifreq(arena, ifname, TapNative.IFF_TAP | TapNative.IFF_NO_PI)) < 0) {
            throw new IllegalStateException("open tap: " + TapNative.describe(TapNative.errno(st)));
        }
        return fd;
    }

    private static TapLab lab(String ifname) {
        TapLab lab = TapLab.create();
        lab.adoptInterface(ifname, 1500);
        TapTestEnv.run("ip", "-n", lab.ns, "link", "set", ifname, "txqueuelen", "65536");
        return lab;
    }

    /** UDP payload that makes an Ethernet frame of {@code frame} bytes. */
    private static int payload(int frame) {
        return frame - Frames.ETH - Frames.IP - Frames.UDP;
    }

    private static void flood(TapLab lab, int frame, int count) {
        TapTestEnv.inNetns(lab.ns, () -> {
            try (DatagramChannel ch = DatagramChannel.open()) {
                ch.bind(new InetSocketAddress(lab.hostIp, 0));
                ByteBuffer b = ByteBuffer.allocateDirect(payload(frame));
                InetSocketAddress to = new InetSocketAddress(lab.guestIp, 9000);
                for (int i = 0; i < count; i++) {
                    b.clear();
                    ch.send(b, to);
                }
            }
            return null;
        });
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        s.sort(null);
        return s.get(s.size() / 2);
    }

    // ---- the two sides, measured in alternating rounds ------------------------------------------

    /** One side of a comparison: set up once, then timed rounds. */
    private interface Side extends AutoCloseable {
        /** Frames per second of one round. */
        double round() throws Exception;

        @Override
        void close() throws Exception;
    }

    /**
     * Runs a warm-up round of each side, then ROUNDS rounds alternating backend and loop, so both
     * see the same moments of a shared machine; returns the medians {backend, loop}.
     */
    private static double[] interleaved(Side backend, Side loop) throws Exception {
        try (backend; loop) {
            backend.round();
            loop.round();
            List<Double> b = new ArrayList<>();
            List<Double> l = new ArrayList<>();
            for (int r = 0; r < ROUNDS; r++) {
                b.add(backend.round());
                l.add(loop.round());
            }
            return new double[] {median(b), median(l)};
        }
    }

    private static void compare(String name, int frame, Side backend, Side loop) throws Exception {
        double[] m = interleaved(backend, loop);
        row(name, frame, m[0], m[1]);
    }

    /** The backend with a NIC stand-in on queue 0, its interface in a namespace of its own. */
    private static final class BackendSide implements Side {
        final TapBackend tap;
        final TapLab lab;
        final CountingSink sink;
        final String ifname = TapTestEnv.uniqueName("jvb");
        private final Mode mode;
        private final int frame;
        private final double seconds;
        private MemorySegment[] txFrame;
        private final Arena arena = Arena.ofShared();

        BackendSide(Mode mode, int frame, double seconds, boolean virtual) throws Exception {
            this.mode = mode;
            this.frame = frame;
            this.seconds = seconds;
            tap = backend(ifname, virtual);
            lab = lab(ifname);
            NetQueue q = tap.queues().get(0);
            sink = new CountingSink(256, 2048, mode == Mode.RX ? null : q);
            q.attach(sink, sink);
            if (mode == Mode.TX) {
                byte[] bytes = dropFrame(lab, frame);
                MemorySegment seg = arena.allocate(bytes.length);
                MemorySegment.copy(bytes, 0, seg, ValueLayout.JAVA_BYTE, 0, bytes.length);
                txFrame = new MemorySegment[] {seg};
            }
            tap.resume();
        }

        @Override
        public double round() throws Exception {
            switch (mode) {
                case RX, ECHO_DRAIN -> {
                    tap.pause();
                    flood(lab, frame, RX_FRAMES);
                    long target = sink.frames.get() + RX_FRAMES;
                    long start = System.nanoTime();
                    tap.resume();
                    if (!sink.awaitFrames(target, 20_000)) {
                        throw new IllegalStateException("backend read " + (RX_FRAMES - (target - sink.frames.get()))
                                + " of " + RX_FRAMES + " frames (kernel dropped some? raise txqueuelen)");
                    }
                    return RX_FRAMES / ((System.nanoTime() - start) / 1e9);
                }
                case TX -> {
                    NetQueue q = tap.queues().get(0);
                    long start = System.nanoTime();
                    for (int i = 0; i < RX_FRAMES; i++) {
                        if (!q.send(txFrame)) {
                            throw new IllegalStateException("send refused");
                        }
                    }
                    return RX_FRAMES / ((System.nanoTime() - start) / 1e9);
                }
                default -> {
                    return client(lab, frame, seconds);
                }
            }
        }

        @Override
        public void close() {
            tap.pause(); // the sink's buffers are freed next: nothing may read into them
            lab.close();
            tap.close();
            sink.close();
            arena.close();
        }
    }

    /** The minimal single-threaded loop on a plain tap descriptor: poll, read one frame, write it. */
    private static final class LoopSide implements Side {
        final String ifname = TapTestEnv.uniqueName("jvb");
        private final Arena arena = Arena.ofShared();
        private final MemorySegment st = TapNative.newCallState(arena);
        private final int fd;
        private final TapLab lab;
        private final Mode mode;
        private final int frame;
        private final double seconds;
        private final MemorySegment buf = arena.allocate(2048);
        private final MemorySegment pfd = arena.allocate(8);
        private MemorySegment txFrame;
        private long txLength;
        private final AtomicBoolean stop = new AtomicBoolean();
        private Thread echoThread;

        LoopSide(Mode mode, int frame, double seconds) throws Exception {
            this.mode = mode;
            this.frame = frame;
            this.seconds = seconds;
            fd = rawTap(arena, st, ifname);
            lab = lab(ifname);
            if (mode == Mode.TX) {
                byte[] bytes = dropFrame(lab, frame);
                txFrame = arena.allocate(bytes.length);
                txLength = bytes.length;
                MemorySegment.copy(bytes, 0, txFrame, ValueLayout.JAVA_BYTE, 0, bytes.length);
            }
            if (mode == Mode.ECHO) {
                echoThread = Thread.ofPlatform().start(this::echoLoop);
            }
        }

        private void echoLoop() {
            MemorySegment b = arena.allocate(2048);
            MemorySegment p = arena.allocate(8);
            MemorySegment lst = TapNative.newCallState(arena);
            while (!stop.get()) {
                p.set(ValueLayout.JAVA_INT, 0, fd);
                p.set(ValueLayout.JAVA_INT, 4, TapNative.POLLIN);
                if (TapNative.poll(lst, p, 1, 100) <= 0) {
                    continue;
                }
                long n = TapNative.read(lst, fd, b, 2048);
                if (n >= 42 && b.get(ValueLayout.JAVA_SHORT_UNALIGNED, 12) == (short) 0x0008) {
                    swap(b);
                    TapNative.write(lst, fd, b, n);
                }
            }
        }

        @Override
        public double round() throws Exception {
            switch (mode) {
                case RX, ECHO_DRAIN -> {
                    flood(lab, frame, RX_FRAMES);
                    long start = System.nanoTime();
                    int got = 0;
                    while (got < RX_FRAMES) {
                        // The minimal loop: one poll, one read per frame (and one write to echo it).
                        pfd.set(ValueLayout.JAVA_INT, 0, fd);
                        pfd.set(ValueLayout.JAVA_INT, 4, TapNative.POLLIN);
                        if (TapNative.poll(st, pfd, 1, 20_000) <= 0) {
                            throw new IllegalStateException("loop read " + got + " of " + RX_FRAMES);
                        }
                        long n = TapNative.read(st, fd, buf, 2048);
                        if (n > 0) {
                            got++;
                            if (mode == Mode.ECHO_DRAIN && n >= 42
                                    && buf.get(ValueLayout.JAVA_SHORT_UNALIGNED, 12) == (short) 0x0008) {
                                swap(buf);
                                TapNative.write(st, fd, buf, n);
                            }
                        }
                    }
                    return RX_FRAMES / ((System.nanoTime() - start) / 1e9);
                }
                case TX -> {
                    long start = System.nanoTime();
                    for (int i = 0; i < RX_FRAMES; i++) {
                        if (TapNative.write(st, fd, txFrame, txLength) < 0) {
                            throw new IllegalStateException("write: " + TapNative.describe(TapNative.errno(st)));
                        }
                    }
                    return RX_FRAMES / ((System.nanoTime() - start) / 1e9);
                }
                default -> {
                    return client(lab, frame, seconds);
                }
            }
        }

        @Override
        public void close() throws Exception {
            stop.set(true);
            if (echoThread != null) {
                echoThread.join();
            }
            lab.close();
            TapNative.close(st, fd);
            arena.close();
        }
    }

    private enum Mode { RX, ECHO_DRAIN, TX, ECHO }

    private static byte[] dropFrame(TapLab lab, int frame) throws Exception {
        // To an address in the subnet that nobody has: the namespace (no forwarding) drops it.
        byte[] host = lab.hostIp.getAddress();
        var nobody = java.net.InetAddress.getByAddress(new byte[] {host[0], host[1], host[2], (byte) 3});
        return Frames.udp(TapLab.HOST_MAC, TapLab.GUEST_MAC, lab.guestIp, nobody, 9000, 9, new byte[payload(frame)]);
    }

    /** Swaps Ethernet, IPv4 and UDP source and destination in place (checksums stay valid). */
    static void swap(MemorySegment f) {
        for (int i = 0; i < 6; i++) {
            byte a = f.get(ValueLayout.JAVA_BYTE, i);
            f.set(ValueLayout.JAVA_BYTE, i, f.get(ValueLayout.JAVA_BYTE, 6 + i));
            f.set(ValueLayout.JAVA_BYTE, 6 + i, a);
        }
        ValueLayout.OfInt ip = ValueLayout.JAVA_INT_UNALIGNED;
        int src = f.get(ip, 26);
        f.set(ip, 26, f.get(ip, 30));
        f.set(ip, 30, src);
        ValueLayout.OfShort port = ValueLayout.JAVA_SHORT_UNALIGNED;
        short sp = f.get(port, 34);
        f.set(port, 34, f.get(port, 36));
        f.set(port, 36, sp);
    }

    /** Keeps WINDOW datagrams in flight for {@code seconds}; returns replies per second. */
    private static double client(TapLab lab, int frame, double seconds) {
        return TapTestEnv.inNetns(lab.ns, () -> {
            try (DatagramChannel ch = DatagramChannel.open()) {
                ch.bind(new InetSocketAddress(lab.hostIp, 7777));
                ch.connect(new InetSocketAddress(lab.guestIp, 9000));
                ch.socket().setSoTimeout(200);
                ByteBuffer out = ByteBuffer.allocateDirect(payload(frame));
                java.net.DatagramPacket in = new java.net.DatagramPacket(new byte[2048], 2048);
                for (int i = 0; i < WINDOW; i++) {
                    out.clear();
                    ch.write(out);
                }
                long warmEnd = System.nanoTime() + 100_000_000L;
                long end = warmEnd + (long) (seconds * 1e9);
                long replies = 0;
                long start = 0;
                while (true) {
                    long now = System.nanoTime();
                    if (now >= end) {
                        break;
                    }
                    try {
                        ch.socket().receive(in);
                    } catch (SocketTimeoutException e) {
                        // frames lost: refill the window
                        for (int i = 0; i < WINDOW; i++) {
                            out.clear();
                            ch.write(out);
                        }
                        continue;
                    }
                    if (now >= warmEnd) {
                        if (start == 0) {
                            start = now;
                        }
                        replies++;
                    }
                    out.clear();
                    ch.write(out);
                }
                return replies / ((System.nanoTime() - start) / 1e9);
            }
        });
    }

    /** A NIC stand-in: recycles buffers; echoes each frame back through {@code echo} if given. */
    private static final class CountingSink implements RxSink, NetQueue.TxSource {
        final AtomicLong frames = new AtomicLong();
        volatile Runnable onFirstFrame;
        private final Arena arena = Arena.ofShared();
        private final ArrayDeque<Buf> free = new ArrayDeque<>();
        private final NetQueue echo;

        record Buf(MemorySegment whole, MemorySegment[] segments) implements RxBuffers {
        }

        CountingSink(int buffers, int size, NetQueue echo) {
            this.echo = echo;
            for (int i = 0; i < buffers; i++) {
                MemorySegment m = arena.allocate(size, 64);
                free.add(new Buf(m, new MemorySegment[] {m}));
            }
        }

        @Override
        public RxBuffers acquire(int maxFrameLength) {
            return free.poll();
        }

        @Override
        public void complete(RxBuffers buffers, int length) {
            Buf b = (Buf) buffers;
            if (echo != null && length >= 42 && b.whole.get(ValueLayout.JAVA_SHORT_UNALIGNED, 12) == (short) 0x0008) {
                MemorySegment f = b.whole.asSlice(0, length);
                swap(f);
                echo.send(new MemorySegment[] {f});
            }
            free.add(b);
            if (frames.incrementAndGet() == 1 && onFirstFrame != null) {
                onFirstFrame.run();
            }
        }

        @Override
        public void abandon(RxBuffers buffers) {
            free.addFirst((Buf) buffers);
        }

        @Override
        public void flush() {
        }

        @Override
        public void txReady() {
        }

        boolean awaitFrames(long target, long timeoutMillis) throws InterruptedException {
            long deadline = System.currentTimeMillis() + timeoutMillis;
            while (frames.get() < target) {
                if (System.currentTimeMillis() > deadline) {
                    return false;
                }
                Thread.sleep(1);
            }
            return true;
        }

        void close() {
            arena.close();
        }
    }
}
