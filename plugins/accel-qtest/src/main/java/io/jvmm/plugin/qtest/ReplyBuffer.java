package io.jvmm.plugin.qtest;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable byte buffer for replies, with the few formatting operations the protocol needs
 * ({@code OK 0x%04x}, {@code OK 0x%016x}, hex dumps), written without String formatting so a
 * request's reply costs no allocation.
 */
final class ReplyBuffer {
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OK = "OK".getBytes(StandardCharsets.US_ASCII);

    private byte[] buf;
    private int len;

    ReplyBuffer(int capacity) {
        buf = new byte[capacity];
    }

    byte[] array() {
        return buf;
    }

    int length() {
        return len;
    }

    void clear() {
        len = 0;
    }

    private void ensure(int extra) {
        if (len + extra > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
        }
    }

    ReplyBuffer put(byte b) {
        ensure(1);
        buf[len++] = b;
        return this;
    }

    ReplyBuffer put(byte[] b, int off, int n) {
        ensure(n);
        System.arraycopy(b, off, buf, len, n);
        len += n;
        return this;
    }

    ReplyBuffer put(byte[] b) {
        return put(b, 0, b.length);
    }

    ReplyBuffer put(String s) {
        int n = s.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            buf[len++] = (byte) (c < 128 ? c : '?');
        }
        return this;
    }

    ReplyBuffer ok() {
        return put(OK).put((byte) '\n');
    }

    /** {@code OK 0x} and {@code value} in at least {@code minDigits} hex digits, then newline. */
    ReplyBuffer okHex(long value, int minDigits) {
        put(OK).put((byte) ' ').put((byte) '0').put((byte) 'x');
        int digits = Math.max(minDigits, (64 - Long.numberOfLeadingZeros(value) + 3) / 4);
        ensure(digits + 1);
        for (int i = digits - 1; i >= 0; i--) {
            buf[len++] = HEX[(int) (value >>> (4 * i)) & 0xf];
        }
        buf[len++] = '\n';
        return this;
    }

    /** {@code OK <decimal>} then newline. */
    ReplyBuffer okDecimal(long value) {
        return put(OK).put((byte) ' ').put(Long.toString(value)).put((byte) '\n');
    }

    /** Appends {@code n} bytes as lowercase hex pairs. */
    ReplyBuffer hex(byte[] data, int off, int n) {
        ensure(2 * n);
        for (int i = 0; i < n; i++) {
            int b = data[off + i] & 0xff;
            buf[len++] = HEX[b >>> 4];
            buf[len++] = HEX[b & 0xf];
        }
        return this;
    }

    ReplyBuffer fail(String message) {
        return put("FAIL ").put(message).put((byte) '\n');
    }

    /** The last line (without its newline), for the log. */
    String lastLine(int from) {
        int end = len > from && buf[len - 1] == '\n' ? len - 1 : len;
        return new String(buf, from, end - from, StandardCharsets.US_ASCII);
    }
}
