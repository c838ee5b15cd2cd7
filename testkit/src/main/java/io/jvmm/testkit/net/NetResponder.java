package io.jvmm.testkit.net;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A tiny guest network stack on top of {@link VirtioNetDriver}: answers ARP for its address,
 * ICMP echo, and echoes UDP on one port, on every queue pair, replying on the pair the request
 * came in on. Runs until closed; replies of one polling round are sent with one kick per pair,
 * and a busy responder pauses {@link #MODERATION_NANOS} between rounds so that rounds carry several
 * frames.
 */
public final class NetResponder implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NetResponder.class);

    /**
     * After a round that handled frames, wait this long before the next one, so that the next
     * round finds several frames per pair and sends their replies with one kick (a qtest round
     * trip, the costliest thing per frame here) instead of one kick per frame: interrupt
     * moderation, as a NIC driver's NAPI budget does. A receive ring of 256 buffers fills in
     * 0.5 ms only above 500,000 frames/s per pair, far beyond what a qtest guest handles.
     * Measured at 20,000 packets/s over 4 pairs: qtest thread CPU 2.1 s -> 1.6 s and responder
     * CPU 2.0 s -> 1.65 s per 8 s (docs/virtio-net.md, benchmark).
     */
    static final long MODERATION_NANOS = 500_000;
    private final VirtioNetDriver nic;
    private final byte[] ip;
    private final int udpEchoPort;
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong[] perPair;
    private volatile boolean running;
    private Thread thread;
    private volatile Throwable failure;

    public NetResponder(VirtioNetDriver nic, byte[] ip, int udpEchoPort) {
        this.nic = nic;
        this.ip = ip.clone();
        this.udpEchoPort = udpEchoPort;
        this.perPair = new AtomicLong[nic.pairs()];
        for (int i = 0; i < perPair.length; i++) {
            perPair[i] = new AtomicLong();
        }
        @SuppressWarnings("unchecked")
        java.util.ArrayDeque<byte[]>[] queues = new java.util.ArrayDeque[nic.pairs()];
        for (int i = 0; i < queues.length; i++) {
            queues[i] = new java.util.ArrayDeque<>();
        }
        this.backlog = queues;
    }

    /**
     * Replies waiting for room in a transmit ring, per pair: what a guest kernel's qdisc holds while
     * the NIC's ring is full (Linux's default txqueuelen is 1000). Without it a VMM that is slow for
     * a moment made this guest drop replies, which no real guest does.
     */
    static final int TX_BACKLOG = 1000;
    private final java.util.ArrayDeque<byte[]>[] backlog;
    private final AtomicLong dropped = new AtomicLong();

    /** One pass over every pair; returns how many frames were handled. */
    public int pollOnce() {
        int handled = 0;
        byte[] mac = nic.mac();
        for (int p = 0; p < nic.pairs(); p++) {
            boolean queued = drainBacklog(p);
            List<byte[]> frames = nic.receive(p);
            for (byte[] f : frames) {
                received.incrementAndGet();
                perPair[p].incrementAndGet();
                byte[] r = EthernetFrames.reply(f, mac, ip, udpEchoPort);
                if (r == null) {
                    continue;
                }
                answered.incrementAndGet();
                if (backlog[p].isEmpty() && nic.queueFrame(p, r)) {
                    queued = true;
                } else if (backlog[p].size() < TX_BACKLOG) {
                    backlog[p].add(r);
                } else {
                    dropped.incrementAndGet(); // the qdisc is full too: a real guest drops here
                }
            }
            if (queued) {
                nic.flush(p);
            }
            handled += frames.size();
        }
        return handled;
    }

    /** Moves waiting replies into the ring while it has room; true if any went in. */
    private boolean drainBacklog(int p) {
        boolean queued = false;
        while (!backlog[p].isEmpty()) {
            if (!nic.queueFrame(p, backlog[p].peek())) {
                nic.flush(p); // completions free descriptors; look once more
                if (!nic.queueFrame(p, backlog[p].peek())) {
                    break;
                }
            }
            backlog[p].poll();
            queued = true;
        }
        return queued;
    }

    /** Replies dropped because the ring and the backlog were both full. */
    public long dropped() {
        return dropped.get();
    }

    /** Starts answering on a background thread. */
    public NetResponder start() {
        running = true;
        thread = Thread.ofPlatform().daemon().name("net-responder").start(() -> {
            try {
                int idle = 0;
                while (running) {
                    if (pollOnce() == 0) {
                        // back off a little when idle; every poll costs qtest round trips on kicks only
                        if (++idle > 100) {
                            Thread.sleep(1);
                        } else {
                            Thread.onSpinWait();
                        }
                    } else {
                        idle = 0;
                        LockSupport.parkNanos(MODERATION_NANOS);
                    }
                }
            } catch (InterruptedException e) {
                // closing
            } catch (Throwable t) {
                failure = t;
                log.warn("responder stopped: {}", t.toString());
            }
        });
        return this;
    }

    public long received() {
        return received.get();
    }

    public long answered() {
        return answered.get();
    }

    /** Frames received on each pair (shows that flows were spread over the queues). */
    public long[] receivedPerPair() {
        long[] r = new long[perPair.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = perPair[i].get();
        }
        return r;
    }

    /** The error that stopped the background thread, if any. */
    public Throwable failure() {
        return failure;
    }

    @Override
    public void close() {
        running = false;
        if (thread != null) {
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
