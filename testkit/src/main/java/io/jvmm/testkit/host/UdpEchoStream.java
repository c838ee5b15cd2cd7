package io.jvmm.testkit.host;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A UDP stream with sequence numbers from a host (inside a namespace) to a guest that echoes it,
 * spread over several flows (source ports) so the kernel steers them to different tap queues.
 * Counts what was sent and echoed, which sequence numbers never came back, and the largest gap
 * between two consecutive echoes: the number that shows a migration's hole in the traffic.
 *
 * <p>Payload: 8-byte sequence number, 8-byte send time (ns), then padding to the packet size.
 */
public final class UdpEchoStream implements AutoCloseable {
    private final List<DatagramChannel> flows = new ArrayList<>();
    private final int rate;
    private final int payloadSize;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong echoed = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final BitSet seen = new BitSet();
    private final Selector selector;
    private volatile boolean sending;
    private volatile boolean running = true;
    private volatile long lastEchoNanos;
    private volatile long largestGapNanos;
    private volatile long largestGapStartNanos;
    /** Largest gap since the last {@link #takeWindowGapMillis()} (one migration round). */
    private volatile long windowGapNanos;
    private Thread sender;
    private Thread receiver;
    private final long startNanos = System.nanoTime();
    /** Sequence numbers below this were sent before {@link #markBaseline()} and are not counted. */
    private volatile long baseline;
    private final AtomicLong warmUpSent = new AtomicLong();
    private final AtomicLong warmUpEchoed = new AtomicLong();
    /** When each sequence number was sent (System.nanoTime), to place losses in time; guarded by itself. */
    private final SendLog sendLog = new SendLog();
    /** Sequence numbers the host's socket refused to send (its buffer was full); guarded by itself. */
    private final java.util.BitSet refusedSeqs = new java.util.BitSet();
    /** When each sequence number's echo arrived (0: not yet). */
    private final SendLog echoLog = new SendLog();

    /**
     * @param ns the namespace the host side lives in
     * @param guest the guest's address and echo port
     * @param flowCount number of flows (distinct source ports)
     * @param rate packets per second over all flows
     * @param payloadSize UDP payload bytes (at least 16)
     */
    public UdpEchoStream(NetNamespace ns, InetSocketAddress guest, int flowCount, int rate, int payloadSize)
            throws IOException {
        if (payloadSize < 16) {
            throw new IllegalArgumentException("payload must hold 16 bytes of sequence and time");
        }
        this.rate = rate;
        this.payloadSize = payloadSize;
        this.selector = Selector.open();
        for (int i = 0; i < flowCount; i++) {
            DatagramChannel ch = ns.openDatagramChannel();
            ch.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 4 << 20);
            ch.connect(guest);
            ch.configureBlocking(false);
            ch.register(selector, SelectionKey.OP_READ);
            flows.add(ch);
        }
    }

    /** Starts sending and receiving. */
    public void start() {
        sending = true;
        receiver = Thread.ofPlatform().daemon().name("udp-echo-rx").start(this::receive);
        sender = Thread.ofPlatform().daemon().name("udp-echo-tx").start(this::send);
    }

    private void send() {
        ByteBuffer buf = ByteBuffer.allocateDirect(payloadSize).order(ByteOrder.BIG_ENDIAN);
        long interval = 1_000_000_000L / rate;
        long next = System.nanoTime();
        long seq = 0;
        while (sending) {
            long now = System.nanoTime();
            if (now < next) {
                LockSupport.parkNanos(Math.min(next - now, 1_000_000));
                continue;
            }
            // Catch up in small bursts if we fell behind, never more than 64 at once.
            int burst = (int) Math.min(64, 1 + (now - next) / interval);
            for (int i = 0; i < burst; i++) {
                buf.clear();
                buf.putLong(0, seq);
                long at = System.nanoTime();
                buf.putLong(8, at);
                buf.limit(payloadSize);
                sendLog.record(seq, at);
                boolean refused;
                try {
                    // non-blocking: 0 when the socket's send buffer is full (frames still queued in
                    // the tap are charged to it, so this means the VMM is not reading the tap)
                    refused = flows.get((int) (seq % flows.size())).write(buf) == 0;
                } catch (IOException e) {
                    refused = true;
                }
                if (refused) {
                    // the packet counts as sent and lost; remembered, to tell this loss from others
                    synchronized (refusedSeqs) {
                        refusedSeqs.set((int) Math.min(seq, Integer.MAX_VALUE));
                    }
                }
                seq++;
                sent.incrementAndGet();
                next += interval;
            }
        }
    }

    private void receive() {
        ByteBuffer buf = ByteBuffer.allocateDirect(65536).order(ByteOrder.BIG_ENDIAN);
        try {
            while (running) {
                if (selector.select(50) == 0) {
                    continue;
                }
                var it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey key = it.next();
                    it.remove();
                    DatagramChannel ch = (DatagramChannel) key.channel();
                    while (true) {
                        buf.clear();
                        int n;
                        try {
                            n = ch.read(buf);
                        } catch (IOException e) {
                            break; // ICMP unreachable from the guest side surfaces here; ignore
                        }
                        if (n <= 0) {
                            break;
                        }
                        if (n >= 16) {
                            record(buf.getLong(0));
                        }
                    }
                }
            }
        } catch (IOException | java.nio.channels.ClosedSelectorException e) {
            // closing
        }
    }

    private void record(long seq) {
        long now = System.nanoTime();
        synchronized (seen) {
            // Checked and counted under the lock markBaseline() holds: an echo of a warm-up packet
            // that raced with it was counted as a measured one (echoed one above sent, hiding a loss).
            if (seq < baseline) {
                warmUpEchoed.incrementAndGet();
                return;
            }
            if (seq < 0 || seq > Integer.MAX_VALUE) {
                return;
            }
            if (seen.get((int) seq)) {
                duplicates.incrementAndGet();
                return;
            }
            seen.set((int) seq);
            echoed.incrementAndGet();
        }
        echoLog.record(seq, now);
        long last = lastEchoNanos;
        if (last != 0 && now - last > largestGapNanos) {
            largestGapNanos = now - last;
            largestGapStartNanos = last;
        }
        if (last != 0 && now - last > windowGapNanos) {
            windowGapNanos = now - last;
        }
        lastEchoNanos = now;
    }

    /** Stops sending; echoes are still counted. */
    public void stopSending() {
        sending = false;
        if (sender != null) {
            try {
                sender.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Waits until every sent packet was echoed or {@code quietMillis} passed without an echo. */
    public void drain(long quietMillis) {
        long lastCount = -1;
        long quietSince = System.nanoTime();
        while (echoed.get() + duplicates.get() < sent.get() - baseline || lastCount < 0) {
            long now = System.nanoTime();
            long c = echoed.get();
            if (c != lastCount) {
                lastCount = c;
                quietSince = now;
            } else if (now - quietSince > quietMillis * 1_000_000) {
                return;
            }
            LockSupport.parkNanos(10_000_000);
            if (echoed.get() >= sent.get() - baseline) {
                return;
            }
        }
    }

    /**
     * Starts counting from the next packet: what was sent before (the guest's own start-up, a cold
     * JIT) is reported separately as warm-up, so the figures describe the steady state and what
     * happens to it (a migration), not the time before the guest ran at speed.
     */
    public void markBaseline() {
        synchronized (seen) {
            long b = sent.get();
            warmUpSent.set(b);
            warmUpEchoed.set(echoed.get());
            baseline = b;
            echoed.set(0);
            duplicates.set(0);
            largestGapNanos = 0;
            windowGapNanos = 0;
        }
    }

    /** Packets sent and echoed before {@link #markBaseline()}. */
    public long[] warmUp() {
        return new long[] {warmUpSent.get(), warmUpEchoed.get()};
    }

    /** The largest gap between echoes since the previous call, including a gap still open now. */
    public double takeWindowGapMillis() {
        long open = lastEchoNanos == 0 ? 0 : System.nanoTime() - lastEchoNanos;
        long gap = Math.max(windowGapNanos, open);
        windowGapNanos = 0;
        return gap / 1e6;
    }

    public long sent() {
        return sent.get() - baseline;
    }

    public long echoed() {
        return echoed.get();
    }

    public Stats stats() {
        long s = sent.get() - baseline;
        long e = echoed.get();
        return new Stats(s, e, Math.max(0, s - e), duplicates.get(), largestGapNanos / 1e6,
                largestGapNanos == 0 ? 0 : (largestGapStartNanos - startNanos) / 1e6, rate, flows.size());
    }

    /**
     * Packets sent between two instants ({@link System#nanoTime()} of this JVM) that were not echoed
     * (yet): where in a run the losses happened, e.g. in a migration's setup or in its switchover.
     */
    public long lostSentBetween(long fromNanos, long toNanos) {
        long end = Math.min(firstSentAtOrAfter(toNanos), (long) Integer.MAX_VALUE + 1);
        long lost = 0;
        synchronized (seen) {
            for (long seq = firstSentAtOrAfter(fromNanos); seq < end; seq++) {
                if (!seen.get((int) seq)) {
                    lost++;
                }
            }
        }
        return lost;
    }

    /**
     * Of the packets sent between two instants, those the host never sent because its socket's buffer
     * was full (write refused): the frames before them were still waiting in the tap for the VMM to read
     * them. Part of {@link #lostSentBetween}.
     */
    public long refusedSentBetween(long fromNanos, long toNanos) {
        long from = firstSentAtOrAfter(fromNanos);
        long end = Math.min(firstSentAtOrAfter(toNanos), (long) Integer.MAX_VALUE);
        synchronized (refusedSeqs) {
            return from >= end ? 0 : refusedSeqs.get((int) from, (int) end).cardinality();
        }
    }

    /**
     * The longest time a packet sent between two instants took to come back (queueing in the tap,
     * the VMM and the guest), in milliseconds; packets not echoed are left out.
     */
    public double maxLatencyMillisSentBetween(long fromNanos, long toNanos) {
        long end = firstSentAtOrAfter(toNanos);
        long max = 0;
        for (long seq = firstSentAtOrAfter(fromNanos); seq < end; seq++) {
            long back = echoLog.at(seq);
            if (back != 0 && back != Long.MIN_VALUE) {
                max = Math.max(max, back - sendLog.at(seq));
            }
        }
        return max / 1e6;
    }

    /**
     * The first counted sequence number sent at or after {@code nanos} (or the next one to be sent):
     * one sender thread records monotonic send times, so they grow with the sequence number.
     */
    private long firstSentAtOrAfter(long nanos) {
        long lo = baseline;
        long hi = sent.get();
        while (lo < hi) {
            long mid = (lo + hi) >>> 1;
            if (sendLog.at(mid) < nanos) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Send times by sequence number, in chunks so recording never copies. */
    private static final class SendLog {
        private static final int CHUNK = 1 << 16;
        private final List<long[]> chunks = new ArrayList<>();

        synchronized void record(long seq, long nanos) {
            int c = (int) (seq / CHUNK);
            while (chunks.size() <= c) {
                chunks.add(new long[CHUNK]);
            }
            chunks.get(c)[(int) (seq % CHUNK)] = nanos;
        }

        synchronized long at(long seq) {
            int c = (int) (seq / CHUNK);
            return c < chunks.size() ? chunks.get(c)[(int) (seq % CHUNK)] : Long.MIN_VALUE;
        }
    }

    /**
     * @param largestGapMillis the longest time between two consecutive echoes
     * @param largestGapAtMillis when that gap began, counted from the stream's creation
     */
    public record Stats(long sent, long echoed, long lost, long duplicates, double largestGapMillis,
            double largestGapAtMillis, int rate, int flows) {
    }

    @Override
    public void close() {
        sending = false;
        running = false;
        try {
            selector.close();
        } catch (IOException ignored) {
            // closing
        }
        for (DatagramChannel ch : flows) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
