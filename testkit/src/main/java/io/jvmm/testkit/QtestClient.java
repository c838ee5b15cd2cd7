package io.jvmm.testkit;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The test side of the qtest protocol: acts as the guest by sending requests to a VMM (QEMU or
 * jvmm) over the socket the VMM connected to. One request at a time, each answered by one line;
 * asynchronous {@code IRQ raise N} / {@code IRQ lower N} lines are recorded (see {@link #irqLevel})
 * and skipped.
 *
 * <p>Typed methods throw {@link QtestException} when the VMM answers {@code FAIL}; {@link #request}
 * returns the raw reply for tests that check the answers themselves. Not thread-safe: one client per
 * test thread (the protocol has no request ids, so concurrent requests could not be matched).
 */
public final class QtestClient implements AutoCloseable {

    private static final HexFormat HEX = HexFormat.of();

    /** Not final: {@link #switchTo} moves the guest to another VMM after a migration. */
    private volatile SocketChannel channel;
    private final ByteBuffer in = ByteBuffer.allocateDirect(1 << 16);
    private final ByteBuffer out = ByteBuffer.allocateDirect(1 << 16);
    private final byte[] lineBytes = new byte[1 << 16];
    /** Bit i set = GSI i last reported high; 256 lines is more than any x86 board routes. */
    private final AtomicLongArray irqLevels = new AtomicLongArray(4);

    public QtestClient(SocketChannel channel) {
        this.channel = channel;
        in.flip(); // empty, ready for reading
    }

    // ---- port I/O -------------------------------------------------------------------------------

    public void outb(int port, int value) {
        expectOk("outb 0x" + Integer.toHexString(port) + " 0x" + Integer.toHexString(value & 0xff));
    }

    public void outw(int port, int value) {
        expectOk("outw 0x" + Integer.toHexString(port) + " 0x" + Integer.toHexString(value & 0xffff));
    }

    public void outl(int port, int value) {
        expectOk("outl 0x" + Integer.toHexString(port) + " 0x" + Integer.toUnsignedString(value, 16));
    }

    public int inb(int port) {
        return (int) value("inb 0x" + Integer.toHexString(port));
    }

    public int inw(int port) {
        return (int) value("inw 0x" + Integer.toHexString(port));
    }

    public int inl(int port) {
        return (int) value("inl 0x" + Integer.toHexString(port));
    }

    // ---- memory (RAM or MMIO, one access of the given width) ------------------------------------

    public int readb(long addr) {
        return (int) value("readb 0x" + Long.toHexString(addr));
    }

    public int readw(long addr) {
        return (int) value("readw 0x" + Long.toHexString(addr));
    }

    public int readl(long addr) {
        return (int) value("readl 0x" + Long.toHexString(addr));
    }

    public long readq(long addr) {
        return value("readq 0x" + Long.toHexString(addr));
    }

    public void writeb(long addr, int value) {
        expectOk("writeb 0x" + Long.toHexString(addr) + " 0x" + Integer.toHexString(value & 0xff));
    }

    public void writew(long addr, int value) {
        expectOk("writew 0x" + Long.toHexString(addr) + " 0x" + Integer.toHexString(value & 0xffff));
    }

    public void writel(long addr, int value) {
        expectOk("writel 0x" + Long.toHexString(addr) + " 0x" + Integer.toUnsignedString(value, 16));
    }

    public void writeq(long addr, long value) {
        expectOk("writeq 0x" + Long.toHexString(addr) + " 0x" + Long.toUnsignedString(value, 16));
    }

    /** {@code read ADDR SIZE}: bytes in memory order. */
    public byte[] read(long addr, int size) {
        String reply = expectOk("read 0x" + Long.toHexString(addr) + " 0x" + Integer.toHexString(size));
        String hex = payload(reply);
        if (!hex.startsWith("0x") || hex.length() != 2 + 2 * size) {
            throw new QtestException("read: malformed reply '" + reply + "'");
        }
        return HEX.parseHex(hex, 2, hex.length());
    }

    /** {@code write ADDR SIZE 0xHEX}. */
    public void write(long addr, byte[] data) {
        if (data.length == 0) {
            return; // QEMU rejects size 0 with an assertion; nothing to do anyway
        }
        expectOk("write 0x" + Long.toHexString(addr) + " 0x" + Integer.toHexString(data.length) + " 0x"
                + HEX.formatHex(data));
    }

    public byte[] b64read(long addr, int size) {
        String reply = expectOk("b64read 0x" + Long.toHexString(addr) + " 0x" + Integer.toHexString(size));
        return Base64.getDecoder().decode(payload(reply));
    }

    public void b64write(long addr, byte[] data) {
        if (data.length == 0) {
            return;
        }
        expectOk("b64write 0x" + Long.toHexString(addr) + " 0x" + Integer.toHexString(data.length) + " "
                + Base64.getEncoder().encodeToString(data));
    }

    public void memset(long addr, int size, int value) {
        if (size == 0) {
            return;
        }
        expectOk("memset 0x" + Long.toHexString(addr) + " 0x" + Integer.toHexString(size) + " 0x"
                + Integer.toHexString(value & 0xff));
    }

    // ---- misc -------------------------------------------------------------------------------------

    public String endianness() {
        return payload(expectOk("endianness"));
    }

    /** {@code clock_step}: to the next timer deadline; returns the new virtual time in ns. */
    public long clockStep() {
        return Long.parseLong(payload(expectOk("clock_step")));
    }

    public long clockStep(long nanos) {
        return Long.parseLong(payload(expectOk("clock_step " + nanos)));
    }

    public long clockSet(long nanos) {
        return Long.parseLong(payload(expectOk("clock_set " + nanos)));
    }

    public void irqInterceptIn(String qomPath) {
        expectOk("irq_intercept_in " + qomPath);
    }

    public void irqInterceptOut(String qomPath) {
        expectOk("irq_intercept_out " + qomPath);
    }

    /** The last level reported for {@code gsi} by an async {@code IRQ raise/lower} line. */
    public boolean irqLevel(int gsi) {
        if (gsi < 0 || gsi >= 256) {
            throw new IllegalArgumentException("gsi out of range: " + gsi);
        }
        return (irqLevels.get(gsi >>> 6) & (1L << (gsi & 63))) != 0;
    }

    // ---- raw protocol -----------------------------------------------------------------------------

    /** Sends one request line (no newline) and returns the reply line, OK or FAIL. */
    public String request(String line) {
        try {
            send(line);
            return readReply();
        } catch (IOException e) {
            throw new UncheckedIOException("qtest connection: " + e.getMessage(), e);
        }
    }

    /** Sends raw bytes as they are (for tests of malformed input); does not wait for a reply. */
    public void sendRaw(byte[] bytes) {
        try {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                channel.write(b);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads the next reply line (skipping IRQ lines). */
    public String readReply() {
        try {
            while (true) {
                String line = readLine();
                if (line.startsWith("IRQ ")) {
                    recordIrq(line);
                    continue;
                }
                return line;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("qtest connection: " + e.getMessage(), e);
        }
    }

    /**
     * Moves this client onto {@code other}'s connection: the guest migrated, and every driver that
     * holds this client now talks to the new VMM. The caller makes sure no request is in flight
     * (one thread per client, as always). {@code other} must not be used afterwards.
     */
    public void switchTo(QtestClient other) {
        this.channel = other.channel;
        in.clear();
        in.flip();
        for (int i = 0; i < irqLevels.length(); i++) {
            irqLevels.set(i, other.irqLevels.get(i));
        }
    }

    public boolean isOpen() {
        return channel.isOpen();
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // closing twice or after the peer went away: nothing left to release
        }
    }

    private String expectOk(String line) {
        String reply = request(line);
        if (!reply.equals("OK") && !reply.startsWith("OK ")) {
            throw new QtestException("'" + line + "' answered '" + reply + "'");
        }
        return reply;
    }

    private long value(String line) {
        String reply = expectOk(line);
        String p = payload(reply);
        if (!p.startsWith("0x")) {
            throw new QtestException("'" + line + "': malformed reply '" + reply + "'");
        }
        return Long.parseUnsignedLong(p, 2, p.length(), 16);
    }

    private static String payload(String reply) {
        return reply.length() > 3 ? reply.substring(3) : "";
    }

    private void recordIrq(String line) {
        // "IRQ raise N" / "IRQ lower N"
        String[] w = line.split(" ");
        if (w.length != 3) {
            return;
        }
        int gsi;
        try {
            gsi = Integer.parseInt(w[2]);
        } catch (NumberFormatException e) {
            return;
        }
        if (gsi < 0 || gsi >= 256) {
            return;
        }
        long bit = 1L << (gsi & 63);
        if (w[1].equals("raise")) {
            irqLevels.getAndUpdate(gsi >>> 6, v -> v | bit);
        } else if (w[1].equals("lower")) {
            irqLevels.getAndUpdate(gsi >>> 6, v -> v & ~bit);
        }
    }

    private void send(String line) throws IOException {
        out.clear();
        int n = line.length();
        if (n + 1 > out.capacity()) {
            ByteBuffer big = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.US_ASCII));
            while (big.hasRemaining()) {
                channel.write(big);
            }
            return;
        }
        for (int i = 0; i < n; i++) {
            out.put((byte) line.charAt(i));
        }
        out.put((byte) '\n');
        out.flip();
        while (out.hasRemaining()) {
            channel.write(out);
        }
    }

    private String readLine() throws IOException {
        int len = 0;
        StringBuilder overflow = null;
        while (true) {
            while (in.hasRemaining()) {
                byte b = in.get();
                if (b == '\n') {
                    String s = new String(lineBytes, 0, len, StandardCharsets.US_ASCII);
                    return overflow == null ? s : overflow.append(s).toString();
                }
                if (len == lineBytes.length) {
                    if (overflow == null) {
                        overflow = new StringBuilder();
                    }
                    overflow.append(new String(lineBytes, 0, len, StandardCharsets.US_ASCII));
                    len = 0;
                }
                lineBytes[len++] = b;
            }
            in.clear();
            int r = channel.read(in);
            in.flip();
            if (r < 0) {
                throw new EOFException("the VMM closed the qtest socket");
            }
        }
    }
}
