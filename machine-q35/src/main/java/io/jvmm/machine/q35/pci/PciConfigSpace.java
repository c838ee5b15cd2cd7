package io.jvmm.machine.q35.pci;

/**
 * The bytes of one function's configuration space and, per byte, which bits a guest may write
 * ({@code wmask}) and which it clears by writing 1 ({@code w1cmask}), as QEMU models it. Everything
 * else is read-only to the guest; the device model sets it with {@link #set}. Little-endian.
 */
public final class PciConfigSpace {
    public static final int CONVENTIONAL_SIZE = 256;
    public static final int EXPRESS_SIZE = 4096;

    private final byte[] config;
    private final byte[] wmask;
    private final byte[] w1cmask;

    public PciConfigSpace(int size) {
        if (size != CONVENTIONAL_SIZE && size != EXPRESS_SIZE) {
            throw new IllegalArgumentException("config space size must be 256 or 4096: " + size);
        }
        config = new byte[size];
        wmask = new byte[size];
        w1cmask = new byte[size];
    }

    public int size() {
        return config.length;
    }

    /** True if {@code [offset, offset + len)} lies inside this config space. */
    public boolean contains(int offset, int len) {
        return offset >= 0 && len > 0 && offset <= config.length - len;
    }

    public long get(int offset, int len) {
        long v = 0;
        for (int i = len - 1; i >= 0; i--) {
            v = v << 8 | (config[offset + i] & 0xff);
        }
        return v;
    }

    /** Device-side write: no masks. */
    public void set(int offset, int len, long value) {
        for (int i = 0; i < len; i++) {
            config[offset + i] = (byte) (value >>> (8 * i));
        }
    }

    public void setWmask(int offset, int len, long mask) {
        for (int i = 0; i < len; i++) {
            wmask[offset + i] = (byte) (mask >>> (8 * i));
        }
    }

    public void setW1cmask(int offset, int len, long mask) {
        for (int i = 0; i < len; i++) {
            w1cmask[offset + i] = (byte) (mask >>> (8 * i));
        }
    }

    public long wmask(int offset, int len) {
        long v = 0;
        for (int i = len - 1; i >= 0; i--) {
            v = v << 8 | (wmask[offset + i] & 0xff);
        }
        return v;
    }

    /** Guest write: writable bits take the new value, write-1-to-clear bits clear where 1 is written. */
    public void guestWrite(int offset, int len, long value) {
        for (int i = 0; i < len; i++) {
            int o = offset + i;
            int v = (int) (value >>> (8 * i)) & 0xff;
            int wm = wmask[o] & 0xff;
            int w1c = w1cmask[o] & 0xff;
            int b = config[o] & 0xff;
            b = (b & ~wm) | (v & wm);
            b &= ~(v & w1c);
            config[o] = (byte) b;
        }
    }

    /** A copy of the raw bytes (migration). */
    public byte[] snapshot() {
        return config.clone();
    }

    /** Restores raw bytes saved by {@link #snapshot} (migration); the length must match. */
    public void restore(byte[] bytes) {
        if (bytes.length != config.length) {
            throw new IllegalArgumentException("config space of " + bytes.length + " bytes, expected " + config.length);
        }
        System.arraycopy(bytes, 0, config, 0, bytes.length);
    }
}
