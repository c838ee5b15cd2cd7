package io.jvmm.plugin.virtio.net;

import io.jvmm.plugin.virtio.queue.DescriptorChain;
import io.jvmm.plugin.virtio.queue.VirtioGuestError;
import io.jvmm.spi.memory.GuestMemory;
import java.util.ArrayList;
import java.util.List;

/**
 * The control virtqueue's commands (virtio 1.2, 5.1.6.5): a class and command byte, the
 * command's data, then one writable ack byte. A malformed command is answered with
 * VIRTIO_NET_ERR, as QEMU does; only a chain without room for the ack is a driver error.
 */
final class ControlCommands {
    static final int OK = 0;
    static final int ERR = 1;

    static final int CLASS_RX = 0;
    static final int CLASS_MAC = 1;
    static final int CLASS_VLAN = 2;
    static final int CLASS_ANNOUNCE = 3;
    static final int CLASS_MQ = 4;
    static final int CLASS_GUEST_OFFLOADS = 5;

    static final int MAC_TABLE_SET = 0;
    static final int MAC_ADDR_SET = 1;
    static final int VLAN_ADD = 0;
    static final int VLAN_DEL = 1;
    static final int ANNOUNCE_ACK = 0;
    static final int MQ_VQ_PAIRS_SET = 0;
    static final int GUEST_OFFLOADS_SET = 0;

    /** What the commands change; implemented by the net device. */
    interface Target {
        long negotiatedFeatures();

        RxFilter filter();

        void setFilter(RxFilter filter);

        void setMac(byte[] mac);

        int maxQueuePairs();

        void setQueuePairs(int pairs);

        /** Returns false if the offloads are not a subset of what was negotiated. */
        boolean setGuestOffloads(long offloads);

        /** Clears the ANNOUNCE status bit; false if it was not set. */
        boolean announceAcked();
    }

    private final Target target;

    ControlCommands(Target target) {
        this.target = target;
    }

    /** Runs one command and writes its ack; returns the ack for tests and logging. */
    int handle(GuestMemory memory, DescriptorChain chain) throws VirtioGuestError {
        if (chain.writableLength() < 1 || chain.readableLength() < 2) {
            throw new VirtioGuestError("control queue: command chain without class/command or ack byte");
        }
        Reader in = new Reader(memory, chain);
        int ack;
        try {
            int cls = in.u8();
            int cmd = in.u8();
            ack = run(cls, cmd, in);
        } catch (Truncated e) {
            ack = ERR;
        }
        chain.writeBytes(memory, 0, new byte[] {(byte) ack});
        return ack;
    }

    private int run(int cls, int cmd, Reader in) throws Truncated {
        long f = target.negotiatedFeatures();
        return switch (cls) {
            case CLASS_RX -> rxMode(f, cmd, in);
            case CLASS_MAC -> mac(f, cmd, in);
            case CLASS_VLAN -> vlan(f, cmd, in);
            case CLASS_ANNOUNCE -> cmd == ANNOUNCE_ACK && target.announceAcked() ? OK : ERR;
            case CLASS_MQ -> mq(f, cmd, in);
            case CLASS_GUEST_OFFLOADS -> offloads(f, cmd, in);
            default -> ERR;
        };
    }

    private int rxMode(long f, int cmd, Reader in) throws Truncated {
        boolean extra = cmd >= 3 && cmd <= 5;
        if (!VirtioNetFeature.has(f, VirtioNetFeature.CTRL_RX) || cmd > 5
                || (extra && !VirtioNetFeature.has(f, VirtioNetFeature.CTRL_RX_EXTRA)) || in.remaining() != 1) {
            return ERR;
        }
        int on = in.u8();
        target.setFilter(target.filter().withRxMode(cmd, on != 0));
        return OK;
    }

    private int mac(long f, int cmd, Reader in) throws Truncated {
        if (cmd == MAC_ADDR_SET) {
            if (!VirtioNetFeature.has(f, VirtioNetFeature.CTRL_MAC_ADDR) || in.remaining() != 6) {
                return ERR;
            }
            target.setMac(in.bytes(6));
            return OK;
        }
        if (cmd != MAC_TABLE_SET || !VirtioNetFeature.has(f, VirtioNetFeature.CTRL_RX)) {
            return ERR;
        }
        List<byte[]> uni = new ArrayList<>();
        boolean uniOverflow = readTable(in, uni);
        List<byte[]> multi = new ArrayList<>();
        boolean multiOverflow = readTable(in, multi);
        if (in.remaining() != 0) {
            return ERR;
        }
        target.setFilter(target.filter().withMacTable(uni, uniOverflow, multi, multiOverflow));
        return OK;
    }

    /** One struct virtio_net_ctrl_mac; more than 64 entries set the overflow flag (QEMU's way). */
    private static boolean readTable(Reader in, List<byte[]> out) throws Truncated {
        long entries = in.u32();
        if (entries * 6 > in.remaining()) {
            throw new Truncated();
        }
        if (entries > RxFilter.MAC_TABLE_ENTRIES) {
            in.skip(entries * 6);
            return true;
        }
        for (int i = 0; i < entries; i++) {
            out.add(in.bytes(6));
        }
        return false;
    }

    private int vlan(long f, int cmd, Reader in) throws Truncated {
        if (!VirtioNetFeature.has(f, VirtioNetFeature.CTRL_VLAN) || (cmd != VLAN_ADD && cmd != VLAN_DEL)
                || in.remaining() != 2) {
            return ERR;
        }
        int vid = in.u16();
        if (vid >= 4096) {
            return ERR;
        }
        target.setFilter(target.filter().withVlan(vid, cmd == VLAN_ADD));
        return OK;
    }

    private int mq(long f, int cmd, Reader in) throws Truncated {
        if (!VirtioNetFeature.has(f, VirtioNetFeature.MQ) || cmd != MQ_VQ_PAIRS_SET || in.remaining() != 2) {
            return ERR;
        }
        int pairs = in.u16();
        if (pairs < 1 || pairs > target.maxQueuePairs()) {
            return ERR;
        }
        target.setQueuePairs(pairs);
        return OK;
    }

    private int offloads(long f, int cmd, Reader in) throws Truncated {
        if (!VirtioNetFeature.has(f, VirtioNetFeature.CTRL_GUEST_OFFLOADS) || cmd != GUEST_OFFLOADS_SET
                || in.remaining() != 8) {
            return ERR;
        }
        return target.setGuestOffloads(in.u64()) ? OK : ERR;
    }

    private static final class Truncated extends Exception {
        Truncated() {
            super(null, null, false, false);
        }
    }

    /** Reads the device-readable part of a chain in order, never past its end. */
    private static final class Reader {
        private final GuestMemory memory;
        private final DescriptorChain chain;
        private final long length;
        private long position;

        Reader(GuestMemory memory, DescriptorChain chain) {
            this.memory = memory;
            this.chain = chain;
            this.length = chain.readableLength();
        }

        long remaining() {
            return length - position;
        }

        byte[] bytes(int n) throws Truncated {
            if (n > remaining()) {
                throw new Truncated();
            }
            byte[] b = new byte[n];
            chain.readBytes(memory, position, b);
            position += n;
            return b;
        }

        void skip(long n) throws Truncated {
            if (n > remaining()) {
                throw new Truncated();
            }
            position += n;
        }

        int u8() throws Truncated {
            return bytes(1)[0] & 0xff;
        }

        int u16() throws Truncated {
            byte[] b = bytes(2);
            return (b[0] & 0xff) | (b[1] & 0xff) << 8;
        }

        long u32() throws Truncated {
            byte[] b = bytes(4);
            return (b[0] & 0xffL) | (b[1] & 0xffL) << 8 | (b[2] & 0xffL) << 16 | (b[3] & 0xffL) << 24;
        }

        long u64() throws Truncated {
            return u32() | u32() << 32;
        }
    }
}
