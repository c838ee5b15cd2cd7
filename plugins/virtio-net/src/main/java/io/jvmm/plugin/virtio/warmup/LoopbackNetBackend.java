package io.jvmm.plugin.virtio.warmup;

import io.jvmm.spi.net.NetBackend;
import io.jvmm.spi.net.NetQueue;
import io.jvmm.spi.net.Offloads;
import io.jvmm.spi.net.RxSink;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A backend without a host side, for the data-path warm-up and the unit tests: it records what the NIC
 * sends (tests read it; the warm-up clears it) and pushes frames into the NIC as a backend I/O thread would.
 */
public final class LoopbackNetBackend implements NetBackend {
    private final boolean vnetHeader;
    private final Offloads supported;
    private final List<NetQueue> queues = new ArrayList<>();
    public volatile int headerLength = 10;
    public volatile Offloads offloads = Offloads.NONE;

    public LoopbackNetBackend(int queueCount, boolean vnetHeader, Offloads supported) {
        this.vnetHeader = vnetHeader;
        this.supported = supported;
        for (int i = 0; i < queueCount; i++) {
            queues.add(new Queue(i));
        }
    }

    public Queue queue(int i) {
        return (Queue) queues.get(i);
    }

    public static final class Queue implements NetQueue {
        private final int index;
        public final List<byte[]> sent = new CopyOnWriteArrayList<>();
        public volatile boolean full;
        public volatile boolean enabled = true;
        /** How often the NIC detached this queue (a tap's TUNSETQUEUE detach drops what it holds). */
        public volatile int detaches;
        public volatile int rxReadyCalls;
        public RxSink sink;
        public TxSource source;

        Queue(int index) {
            this.index = index;
        }

        @Override
        public int index() {
            return index;
        }

        @Override
        public boolean send(MemorySegment[] segments) {
            if (full) {
                return false;
            }
            long total = 0;
            for (MemorySegment s : segments) {
                total += s.byteSize();
            }
            byte[] frame = new byte[(int) total];
            int at = 0;
            for (MemorySegment s : segments) {
                MemorySegment.copy(s, ValueLayout.JAVA_BYTE, 0, frame, at, (int) s.byteSize());
                at += (int) s.byteSize();
            }
            sent.add(frame);
            return true;
        }

        @Override
        public void attach(RxSink sink, TxSource source) {
            this.sink = sink;
            this.source = source;
        }

        @Override
        public void rxReady() {
            rxReadyCalls++;
        }

        @Override
        public void setEnabled(boolean enabled) {
            if (this.enabled && !enabled) {
                detaches++;
            }
            this.enabled = enabled;
        }

        @Override
        public boolean enabled() {
            return enabled;
        }

        /**
         * Delivers one frame as a backend I/O thread does: acquire, scatter into the segments,
         * complete, flush. Returns false when the NIC had no buffers.
         */
        public boolean deliver(byte[] frame) {
            RxSink.RxBuffers b = sink.acquire(65550);
            if (b == null) {
                return false;
            }
            int at = 0;
            for (MemorySegment s : b.segments()) {
                int n = (int) Math.min(s.byteSize(), frame.length - at);
                MemorySegment.copy(frame, at, s, ValueLayout.JAVA_BYTE, 0, n);
                at += n;
                if (at == frame.length) {
                    break;
                }
            }
            sink.complete(b, at);
            sink.flush();
            return true;
        }
    }

    @Override
    public String id() {
        return "net0";
    }

    @Override
    public String type() {
        return "fake";
    }

    @Override
    public List<NetQueue> queues() {
        return queues;
    }

    @Override
    public boolean hasVnetHeader() {
        return vnetHeader;
    }

    @Override
    public void setVnetHeaderLength(int length) {
        headerLength = length;
    }

    @Override
    public int vnetHeaderLength() {
        return headerLength;
    }

    @Override
    public Offloads supportedOffloads() {
        return vnetHeader ? supported : Offloads.NONE;
    }

    @Override
    public void setOffloads(Offloads offloads) {
        this.offloads = offloads;
    }

    @Override
    public void pause() {
    }

    @Override
    public void resume() {
    }

    @Override
    public void close() {
    }
}
