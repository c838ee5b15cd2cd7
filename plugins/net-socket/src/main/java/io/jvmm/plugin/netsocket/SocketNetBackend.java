package io.jvmm.plugin.netsocket;

import io.jvmm.spi.config.ConfigException;
import io.jvmm.spi.net.NetBackend;
import io.jvmm.spi.net.NetQueue;
import io.jvmm.spi.net.Offloads;
import io.jvmm.spi.net.RxSink;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * QEMU's socket netdev: each frame travels as a 4-byte big-endian length and the frame, no vnet
 * header, one queue. A reader thread moves frames from the stream straight into the NIC's guest
 * buffers (and stops reading while the NIC has none, so the peer is flow-controlled by the
 * stream); a writer thread sends frames the NIC handed over. While paused neither touches the
 * stream nor guest memory.
 */
final class SocketNetBackend implements NetBackend {
    private static final Logger log = LoggerFactory.getLogger(SocketNetBackend.class);
    /** QEMU's NET_BUFSIZE: a longer length word is a broken peer; the connection is dropped. */
    static final int MAX_FRAME = 4096 + 65536;
    /** Frames queued for the writer before the NIC is told to wait. */
    private static final int TX_QUEUE_FRAMES = 256;

    private final String id;
    private final ServerSocketChannel server;
    private final SocketAddress listenAddress;
    private final Queue queue = new Queue();
    private final ReentrantLock lock = new ReentrantLock();
    /** Held while a frame moves from the stream into guest memory. */
    private final ReentrantLock rxLock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final BlockingQueue<byte[]> txQueue = new ArrayBlockingQueue<>(TX_QUEUE_FRAMES);

    // under lock
    private FrameStream stream;
    private boolean paused;
    private boolean rxReady = true;
    private boolean closed;
    private boolean txBlocked;

    private Thread reader;
    private Thread writer;
    final AtomicLong rxFrames = new AtomicLong();
    final AtomicLong txFrames = new AtomicLong();
    final AtomicLong txDropped = new AtomicLong();

    private SocketNetBackend(String id, ServerSocketChannel server, SocketAddress listenAddress, FrameStream stream) {
        this.id = id;
        this.server = server;
        this.listenAddress = listenAddress;
        this.stream = stream;
    }

    static SocketNetBackend open(String id, SocketNetConfig config) {
        try {
            if (config.fd().isPresent()) {
                int fd = config.fd().getAsInt();
                if (!LibC.isOpen(fd)) {
                    throw new ConfigException("fd: descriptor " + fd + " is not open in this process");
                }
                return new SocketNetBackend(id, null, null, new FdFrameStream(fd));
            }
            if (config.connect().isPresent()) {
                SocketAddress a = config.connect().get();
                SocketChannel ch = SocketChannel.open(a);
                return new SocketNetBackend(id, null, null, new ChannelFrameStream(ch));
            }
            SocketAddress a = config.listen().orElseThrow();
            boolean unix = a instanceof UnixDomainSocketAddress;
            ServerSocketChannel server = ServerSocketChannel.open(unix ? StandardProtocolFamily.UNIX
                    : ((java.net.InetSocketAddress) a).getAddress() instanceof java.net.Inet6Address
                            ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
            server.bind(a);
            return new SocketNetBackend(id, server, server.getLocalAddress(), null);
        } catch (IOException e) {
            String what = config.fd().isPresent() ? "fd=" + config.fd().getAsInt()
                    : config.connect().map(x -> "connect=" + x).orElseGet(() -> "listen=" + config.listen().orElseThrow());
            throw new ConfigException("netdev " + id + ": cannot open " + what + ": " + e.getMessage(), e);
        }
    }

    /** The bound address in listen mode (the port, if 0 was asked for). */
    SocketAddress listenAddress() {
        return listenAddress;
    }

    private void start() {
        reader = Thread.ofPlatform().daemon().name("net-socket-" + id + "-rx").start(this::readLoop);
        writer = Thread.ofPlatform().daemon().name("net-socket-" + id + "-tx").start(this::writeLoop);
    }

    // ---- receive ---------------------------------------------------------------------------

    private void readLoop() {
        ByteBuffer header = ByteBuffer.allocateDirect(4);
        while (true) {
            FrameStream s = connection();
            if (s == null) {
                return; // closed
            }
            try {
                while (true) {
                    header.clear();
                    if (!readFully(s, header)) {
                        log.info("netdev {}: peer {} closed the connection", id, s);
                        break;
                    }
                    int length = header.getInt(0);
                    if (length < 0 || length > MAX_FRAME) {
                        log.warn("netdev {}: peer {} sent a frame length of {} (limit {}); dropping the connection",
                                id, s, Integer.toUnsignedString(length), MAX_FRAME);
                        break;
                    }
                    if (!receiveFrame(s, length)) {
                        break;
                    }
                }
            } catch (IOException e) {
                if (!isClosed()) {
                    log.warn("netdev {}: connection to {} failed: {}", id, s, e.getMessage());
                }
            } catch (InterruptedException e) {
                return;
            }
            disconnect(s);
            if (server == null) {
                return; // connect= and fd= do not reconnect, as QEMU
            }
        }
    }

    /** Waits for a connection (accepting one in listen mode); null once closed. */
    private FrameStream connection() {
        lock.lock();
        try {
            if (closed) {
                return null;
            }
            if (stream != null) {
                return stream;
            }
        } finally {
            lock.unlock();
        }
        try {
            SocketChannel ch = server.accept();
            FrameStream s = new ChannelFrameStream(ch);
            lock.lock();
            try {
                if (closed) {
                    s.close();
                    return null;
                }
                stream = s;
            } finally {
                lock.unlock();
            }
            log.info("netdev {}: connection from {}", id, s);
            return s;
        } catch (IOException e) {
            if (!isClosed()) {
                log.warn("netdev {}: accept on {} failed: {}", id, listenAddress, e.getMessage());
            }
            return null;
        }
    }

    private void disconnect(FrameStream s) {
        lock.lock();
        try {
            if (stream == s) {
                stream = null;
            }
        } finally {
            lock.unlock();
        }
        s.close();
        txQueue.clear();
    }

    /**
     * Moves one frame of {@code length} bytes from the stream into guest buffers. The body is read
     * under {@code rxLock}, which pause() takes, so a pause waits for a frame in flight instead of
     * cutting it; the state lock is not held while the stream is read.
     */
    private boolean receiveFrame(FrameStream s, int length) throws IOException, InterruptedException {
        while (true) {
            lock.lock();
            try {
                while (!closed && (paused || !rxReady || queue.sink == null || !queue.enabled)) {
                    changed.await();
                }
                if (closed) {
                    return false;
                }
            } finally {
                lock.unlock();
            }
            rxLock.lock();
            try {
                RxSink sink = queue.sink;
                if (isPaused()) {
                    continue;
                }
                RxSink.RxBuffers buffers = sink.acquire(length);
                if (buffers == null) {
                    lock.lock();
                    try {
                        rxReady = false; // the stream waits until the NIC has buffers again
                    } finally {
                        lock.unlock();
                    }
                    continue;
                }
                return fill(s, sink, buffers, length);
            } finally {
                rxLock.unlock();
            }
        }
    }

    private boolean fill(FrameStream s, RxSink sink, RxSink.RxBuffers buffers, int length) throws IOException {
        long capacity = 0;
        for (MemorySegment seg : buffers.segments()) {
            capacity += seg.byteSize();
        }
        long remaining = length;
        boolean ok = true;
        try {
            for (MemorySegment seg : buffers.segments()) {
                if (remaining == 0) {
                    break;
                }
                ByteBuffer b = seg.asSlice(0, Math.min(seg.byteSize(), remaining)).asByteBuffer();
                ok = readFully(s, b);
                if (!ok) {
                    break;
                }
                remaining -= b.capacity();
            }
            if (ok && remaining > 0) {
                ok = skip(s, remaining);
            }
        } catch (IOException e) {
            sink.abandon(buffers);
            throw e;
        }
        if (!ok) {
            sink.abandon(buffers);
            return false;
        }
        if (length > capacity) {
            log.debug("netdev {}: frame of {} bytes larger than the guest's buffers ({}); dropped", id, length, capacity);
            sink.abandon(buffers);
        } else {
            sink.complete(buffers, length);
            rxFrames.incrementAndGet();
        }
        sink.flush();
        return true;
    }

    private boolean isPaused() {
        lock.lock();
        try {
            return paused;
        } finally {
            lock.unlock();
        }
    }

    private static boolean readFully(FrameStream s, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (s.read(b) < 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean skip(FrameStream s, long n) throws IOException {
        ByteBuffer junk = ByteBuffer.allocateDirect(4096);
        while (n > 0) {
            junk.clear().limit((int) Math.min(4096, n));
            if (!readFully(s, junk)) {
                return false;
            }
            n -= junk.limit();
        }
        return true;
    }

    // ---- transmit --------------------------------------------------------------------------

    private boolean send(MemorySegment[] segments) {
        long total = 0;
        for (MemorySegment seg : segments) {
            total += seg.byteSize();
        }
        lock.lock();
        try {
            if (stream == null || closed) {
                txDropped.incrementAndGet(); // nobody connected: the wire is unplugged, as in QEMU
                return true;
            }
            if (total > MAX_FRAME) {
                txDropped.incrementAndGet();
                log.debug("netdev {}: guest frame of {} bytes exceeds {}; dropped", id, total, MAX_FRAME);
                return true;
            }
            if (txQueue.remainingCapacity() == 0) {
                txBlocked = true;
                return false;
            }
        } finally {
            lock.unlock();
        }
        // The guest's buffers are returned once send() returns: copy the frame out now.
        byte[] frame = new byte[(int) total + 4];
        ByteBuffer.wrap(frame).putInt((int) total);
        int at = 4;
        for (MemorySegment seg : segments) {
            MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, 0, frame, at, (int) seg.byteSize());
            at += (int) seg.byteSize();
        }
        txQueue.add(frame);
        return true;
    }

    private void writeLoop() {
        try {
            while (true) {
                byte[] frame = txQueue.poll(200, TimeUnit.MILLISECONDS);
                FrameStream s;
                NetQueue.TxSource wake = null;
                lock.lock();
                try {
                    while (!closed && paused) {
                        changed.await();
                    }
                    if (closed) {
                        return;
                    }
                    s = stream;
                    if (txBlocked && txQueue.size() < TX_QUEUE_FRAMES / 2) {
                        txBlocked = false;
                        wake = queue.source;
                    }
                } finally {
                    lock.unlock();
                }
                if (wake != null) {
                    wake.txReady();
                }
                if (frame == null || s == null) {
                    continue;
                }
                try {
                    s.writeFully(ByteBuffer.wrap(frame));
                    txFrames.incrementAndGet();
                } catch (IOException e) {
                    if (!isClosed()) {
                        log.warn("netdev {}: sending to {} failed: {}", id, s, e.getMessage());
                    }
                    disconnect(s);
                }
            }
        } catch (InterruptedException e) {
            // closing
        }
    }

    private boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    // ---- NetBackend ------------------------------------------------------------------------

    @Override
    public String id() {
        return id;
    }

    @Override
    public String type() {
        return "socket";
    }

    @Override
    public List<NetQueue> queues() {
        return List.of(queue);
    }

    @Override
    public boolean hasVnetHeader() {
        return false;
    }

    @Override
    public void setVnetHeaderLength(int length) {
        throw new IllegalStateException("netdev " + id + ": the socket netdev carries no vnet header");
    }

    @Override
    public int vnetHeaderLength() {
        return 0;
    }

    @Override
    public Offloads supportedOffloads() {
        return Offloads.NONE;
    }

    @Override
    public void setOffloads(Offloads offloads) {
        if (!Offloads.NONE.equals(offloads)) {
            throw new IllegalStateException("netdev " + id + ": the socket netdev supports no offloads");
        }
    }

    @Override
    public boolean linkUp() {
        lock.lock();
        try {
            return stream != null;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void pause() {
        // Taking rxLock waits for a frame being moved into guest memory to finish.
        rxLock.lock();
        try {
            lock.lock();
            try {
                paused = true;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        } finally {
            rxLock.unlock();
        }
    }

    @Override
    public void resume() {
        lock.lock();
        try {
            paused = false;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        FrameStream s;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            s = stream;
            stream = null;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (s != null) {
            s.close();
        }
        if (server != null) {
            try {
                server.close();
            } catch (IOException ignored) {
                // already closed
            }
            if (listenAddress instanceof UnixDomainSocketAddress u) {
                try {
                    Files.deleteIfExists(u.getPath());
                } catch (IOException e) {
                    log.warn("netdev {}: could not remove {}: {}", id, u.getPath(), e.getMessage());
                }
            }
        }
        for (Thread t : new Thread[] {reader, writer}) {
            if (t != null) {
                t.interrupt();
                try {
                    t.join(2000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** The backend's single queue. */
    private final class Queue implements NetQueue {
        volatile RxSink sink;
        volatile TxSource source;
        volatile boolean enabled = true;

        @Override
        public int index() {
            return 0;
        }

        @Override
        public boolean send(MemorySegment[] segments) {
            return SocketNetBackend.this.send(segments);
        }

        @Override
        public void attach(RxSink s, TxSource src) {
            boolean first;
            lock.lock();
            try {
                first = sink == null;
                sink = s;
                source = src;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            if (first) {
                start();
            }
        }

        @Override
        public void rxReady() {
            lock.lock();
            try {
                rxReady = true;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void setEnabled(boolean on) {
            lock.lock();
            try {
                enabled = on;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public boolean enabled() {
            return enabled;
        }
    }
}
