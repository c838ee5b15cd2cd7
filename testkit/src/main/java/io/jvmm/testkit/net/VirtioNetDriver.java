package io.jvmm.testkit.net;

import io.jvmm.testkit.QtestClient;
import io.jvmm.testkit.mem.GuestPageAllocator;
import io.jvmm.testkit.mem.GuestRam;
import io.jvmm.testkit.virtio.DriverVirtqueue;
import io.jvmm.testkit.virtio.VirtioPciDriver;
import java.util.ArrayList;
import java.util.List;

/**
 * A virtio-net driver acting as the guest (virtio 1.2, 5.1): negotiates VERSION_1 with MAC,
 * STATUS, the control queue and MQ, brings up N queue pairs, keeps every receive queue full of
 * 2 KiB buffers, and sends and receives Ethernet frames on a chosen pair. The 12-byte virtio-net
 * header is all zeros on transmit (no offloads) and stripped on receive.
 */
public final class VirtioNetDriver {
    public static final int F_CSUM = 0, F_MAC = 5, F_MRG_RXBUF = 15, F_STATUS = 16, F_CTRL_VQ = 17, F_CTRL_RX = 18;
    public static final int F_MQ = 22, F_VERSION_1 = 32;
    public static final int HEADER = 12;
    public static final int BUFFER = 2048;
    public static final int QUEUE_SIZE = 256;

    private final VirtioPciDriver dev;
    private final GuestRam ram;
    private final QtestClient qtest;
    private final GuestPageAllocator alloc;
    private final List<DriverVirtqueue> rx = new ArrayList<>();
    private final List<DriverVirtqueue> tx = new ArrayList<>();
    private final List<long[]> rxBuffers = new ArrayList<>();
    private final List<long[]> txBuffers = new ArrayList<>();
    private DriverVirtqueue ctrl;
    private long ctrlBuffer;
    private long negotiated;
    private byte[] mac;
    private int pairs;

    public VirtioNetDriver(VirtioPciDriver dev, GuestRam ram, GuestPageAllocator alloc) {
        this.dev = dev;
        this.ram = ram;
        this.qtest = dev.qtest();
        this.alloc = alloc;
    }

    public VirtioPciDriver device() {
        return dev;
    }

    /**
     * Brings the NIC up with {@code wantedPairs} queue pairs (fewer if the device offers fewer).
     * Interrupts stay off (no MSI-X vectors): this driver polls the used rings.
     */
    public void start(int wantedPairs) {
        long offered = dev.deviceFeatures();
        long want = bit(F_VERSION_1) | bit(F_MAC) | bit(F_STATUS) | bit(F_CTRL_VQ);
        if (wantedPairs > 1) {
            want |= bit(F_MQ);
        }
        negotiated = want & offered;
        if ((negotiated & bit(F_VERSION_1)) == 0) {
            throw new IllegalStateException("device does not offer VERSION_1: features 0x" + Long.toHexString(offered));
        }
        if (!dev.negotiate(negotiated)) {
            throw new IllegalStateException("device refused features 0x" + Long.toHexString(negotiated));
        }
        int maxPairs = (negotiated & bit(F_MQ)) != 0 ? dev.readDeviceConfig16(8) : 1;
        pairs = Math.max(1, Math.min(wantedPairs, maxPairs));
        mac = new byte[6];
        for (int i = 0; i < 6; i++) {
            mac[i] = (byte) dev.readDeviceConfig8(i);
        }
        dev.setConfigVector(VirtioPciDriver.NO_VECTOR);
        int ctrlIndex = (negotiated & bit(F_MQ)) != 0 ? 2 * maxPairs : 2;
        for (int p = 0; p < pairs; p++) {
            DriverVirtqueue r = new DriverVirtqueue(2 * p, QUEUE_SIZE, ram, qtest, alloc);
            DriverVirtqueue t = new DriverVirtqueue(2 * p + 1, QUEUE_SIZE, ram, qtest, alloc);
            dev.enableQueue(r, VirtioPciDriver.NO_VECTOR);
            dev.enableQueue(t, VirtioPciDriver.NO_VECTOR);
            rx.add(r);
            tx.add(t);
            long rbase = alloc.alloc((long) BUFFER * QUEUE_SIZE, 4096);
            long tbase = alloc.alloc((long) BUFFER * QUEUE_SIZE, 4096);
            long[] rb = new long[QUEUE_SIZE];
            long[] tb = new long[QUEUE_SIZE];
            for (int i = 0; i < QUEUE_SIZE; i++) {
                rb[i] = rbase + (long) i * BUFFER;
                tb[i] = tbase + (long) i * BUFFER;
            }
            rxBuffers.add(rb);
            txBuffers.add(tb);
        }
        if ((negotiated & bit(F_CTRL_VQ)) != 0) {
            ctrl = new DriverVirtqueue(ctrlIndex, 64, ram, qtest, alloc);
            dev.enableQueue(ctrl, VirtioPciDriver.NO_VECTOR);
            ctrlBuffer = alloc.alloc(4096, 4096);
        }
        dev.driverOk();
        for (int p = 0; p < pairs; p++) {
            DriverVirtqueue r = rx.get(p);
            // one descriptor per buffer, so descriptor i always owns buffer i
            while (r.freeDescriptors() > 0) {
                int head = r.add(new long[] {0}, new int[] {BUFFER}, new boolean[] {true});
                ram.writeU64(r.descAddress() + 16L * head, rxBuffers.get(p)[head]);
            }
            r.publish();
            r.kick();
        }
        if (pairs > 1) {
            int ack = control(4, 0, new byte[] {(byte) pairs, (byte) (pairs >>> 8)});
            if (ack != 0) {
                throw new IllegalStateException("VQ_PAIRS_SET " + pairs + " refused");
            }
        }
    }

    private static long bit(int b) {
        return 1L << b;
    }

    public long negotiatedFeatures() {
        return negotiated;
    }

    public byte[] mac() {
        return mac.clone();
    }

    public int pairs() {
        return pairs;
    }

    public boolean linkUp() {
        return (dev.readDeviceConfig16(6) & 1) != 0;
    }

    /** Sends a control command and waits for its ack (0 OK, 1 ERR). */
    public int control(int cls, int cmd, byte[] data) {
        if (ctrl == null) {
            throw new IllegalStateException("no control queue negotiated");
        }
        byte[] b = new byte[2 + data.length];
        b[0] = (byte) cls;
        b[1] = (byte) cmd;
        System.arraycopy(data, 0, b, 2, data.length);
        ram.write(ctrlBuffer, b);
        ram.writeU8(ctrlBuffer + 2048, 0xff);
        ctrl.add(new long[] {ctrlBuffer, ctrlBuffer + 2048}, new int[] {b.length, 1}, new boolean[] {false, true});
        ctrl.publish();
        ctrl.kick();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (ctrl.poll() == null) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("control command " + cls + "/" + cmd + " not completed");
            }
            Thread.onSpinWait();
        }
        return ram.readU8(ctrlBuffer + 2048);
    }

    /** Queues a frame on pair {@code p} without kicking; false if the transmit ring is full. */
    public boolean queueFrame(int p, byte[] frame) {
        if (frame.length + HEADER > BUFFER) {
            throw new IllegalArgumentException("frame of " + frame.length + " bytes does not fit a " + BUFFER + "-byte buffer");
        }
        DriverVirtqueue t = tx.get(p);
        while (t.poll() != null) {
            // reclaim sent buffers
        }
        if (t.freeDescriptors() == 0) {
            return false;
        }
        int head = t.add(new long[] {0}, new int[] {HEADER + frame.length}, new boolean[] {false});
        long buf = txBuffers.get(p)[head];
        byte[] b = new byte[HEADER + frame.length];
        System.arraycopy(frame, 0, b, HEADER, frame.length);
        ram.write(buf, b);
        ram.writeU64(t.descAddress() + 16L * head, buf);
        return true;
    }

    /** Publishes queued frames of pair {@code p} and kicks once. */
    public void flush(int p) {
        tx.get(p).publish();
        tx.get(p).kick();
    }

    /** Sends one frame on pair {@code p}, waiting for ring space if needed. */
    public void send(int p, byte[] frame) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!queueFrame(p, frame)) {
            flush(p);
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("transmit ring of pair " + p + " stays full");
            }
        }
        flush(p);
    }

    /**
     * Rings every receive and transmit doorbell once, whatever the device's flags say. For a test
     * guest whose "vCPU" (a qtest link) may have kept running for a moment against a VM that had
     * already stopped: what it rang there reached a stopped device and is rung again here.
     */
    public void ringAll() {
        for (int p = 0; p < rx.size(); p++) {
            rx.get(p).ring();
            tx.get(p).ring();
        }
    }

    /** Frames (without the virtio header) that arrived on pair {@code p}; buffers are re-posted. */
    public List<byte[]> receive(int p) {
        DriverVirtqueue r = rx.get(p);
        List<byte[]> out = null;
        DriverVirtqueue.Used u;
        while ((u = r.poll()) != null) {
            if (out == null) {
                out = new ArrayList<>();
            }
            long buf = rxBuffers.get(p)[u.id()];
            if (u.length() > HEADER && u.length() <= BUFFER) {
                out.add(ram.read(buf + HEADER, u.length() - HEADER));
            }
            lastRxHeader[p] = ram.read(buf, HEADER);
            // descriptor i always owns buffer i: repost whichever descriptor the free list gives
            int head = r.add(new long[] {0}, new int[] {BUFFER}, new boolean[] {true});
            ram.writeU64(r.descAddress() + 16L * head, rxBuffers.get(p)[head]);
        }
        if (out == null) {
            return List.of();
        }
        r.publish();
        r.kick();
        return out;
    }

    private final byte[][] lastRxHeader = new byte[64][];

    /** The virtio-net header of the last frame received on pair {@code p} (for conformance checks). */
    public byte[] lastReceivedHeader(int p) {
        return lastRxHeader[p] == null ? null : lastRxHeader[p].clone();
    }
}
