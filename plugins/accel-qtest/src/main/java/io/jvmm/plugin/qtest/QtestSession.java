package io.jvmm.plugin.qtest;

import io.jvmm.plugin.qtest.QtestNumbers.BadNumber;
import io.jvmm.spi.accel.AccelContext;
import io.jvmm.spi.memory.AddressSpace;
import io.jvmm.spi.memory.GuestMemory;
import io.jvmm.spi.memory.GuestMemoryException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.locks.Lock;
import java.util.function.Consumer;

/**
 * Executes qtest requests (QEMU's protocol, see docs/qtest.md) against the VM: one request line
 * in, one reply line out. Words are split on single spaces; numbers parse as C's strtoul with
 * base 0. Every access runs under the VM's device lock. A malformed request answers
 * {@code FAIL <reason>} and changes nothing; nothing a client sends can end the VMM (QEMU asserts
 * on several of these, jvmm does not).
 *
 * <p>The common requests (port and sized memory accesses) parse the raw bytes in place and format
 * the reply into a reused buffer: no allocation per request.
 */
final class QtestSession {
    /** Largest read/write/memset a single request may ask for; beyond it the request fails. */
    static final long MAX_TRANSFER = 64L << 20;
    private static final int MAX_WORDS = 8;

    private final AccelContext ctx;
    private final AddressSpace system;
    private final AddressSpace io;
    private final GuestMemory ram;
    private final Lock deviceLock;
    private final Consumer<String> irqIntercept;
    private final int[] wordStart = new int[MAX_WORDS];
    private final int[] wordEnd = new int[MAX_WORDS];
    private String interceptPath;

    /**
     * @param irqIntercept called once with the path the client names on the first
     *     irq_intercept_in/out; it starts forwarding GSI changes as {@code IRQ raise/lower N} lines
     */
    QtestSession(AccelContext ctx, Consumer<String> irqIntercept) {
        this.ctx = ctx;
        this.system = ctx.systemMemory();
        this.io = ctx.ioPorts();
        this.ram = ctx.memory();
        this.deviceLock = ctx.deviceLock();
        this.irqIntercept = irqIntercept;
    }

    /** Handles the request in {@code line[start, end)} (no newline) and appends its reply to {@code out}. */
    void handle(byte[] line, int start, int end, ReplyBuffer out) {
        if (end > start && line[end - 1] == '\r') {
            end--;
        }
        int words = split(line, start, end);
        if (words == 0) {
            out.fail("empty request");
            return;
        }
        if (words < 0) {
            out.fail("words must be separated by single spaces");
            return;
        }
        try {
            dispatch(line, words, out);
        } catch (BadNumber e) {
            out.fail(e.getMessage());
        } catch (GuestMemoryException | IllegalArgumentException e) {
            out.fail(e.getMessage());
        }
    }

    private int split(byte[] b, int start, int end) {
        int n = 0;
        int i = start;
        while (i < end) {
            int s = i;
            while (i < end && b[i] != ' ') {
                i++;
            }
            if (i == s) {
                return -1; // an empty word: two spaces in a row, or a leading space
            }
            if (n < MAX_WORDS) {
                wordStart[n] = s;
                wordEnd[n] = i;
            }
            n++;
            if (i < end) {
                i++; // the space
                if (i == end) {
                    return -1; // trailing space
                }
            }
        }
        return Math.min(n, MAX_WORDS);
    }

    private boolean is(byte[] b, String name) {
        int s = wordStart[0];
        int len = wordEnd[0] - s;
        if (len != name.length()) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            if (b[s + i] != name.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private long num(byte[] b, int word) throws BadNumber {
        return QtestNumbers.parse(b, wordStart[word], wordEnd[word]);
    }

    private static void need(int words, int args, String usage) {
        if (words - 1 < args) {
            throw new IllegalArgumentException("usage: " + usage);
        }
    }

    private void dispatch(byte[] b, int words, ReplyBuffer out) throws BadNumber {
        byte c0 = b[wordStart[0]];
        int len = wordEnd[0] - wordStart[0];
        // sized accesses first: the hot path
        if (len == 5 && (c0 == 'r' || c0 == 'w') || len == 6 && c0 == 'w' || len == 4 && (c0 == 'o' || c0 == 'i')
                || len == 3 && c0 == 'i') {
            if (sized(b, words, out)) {
                return;
            }
        }
        if (is(b, "read")) {
            need(words, 2, "read ADDR SIZE");
            read(num(b, 1), num(b, 2), out, false);
        } else if (is(b, "write")) {
            need(words, 3, "write ADDR SIZE 0xDATA");
            writeHex(b, num(b, 1), num(b, 2), out);
        } else if (is(b, "b64read")) {
            need(words, 2, "b64read ADDR SIZE");
            read(num(b, 1), num(b, 2), out, true);
        } else if (is(b, "b64write")) {
            need(words, 3, "b64write ADDR SIZE BASE64");
            writeB64(b, num(b, 1), num(b, 2), out);
        } else if (is(b, "memset")) {
            need(words, 3, "memset ADDR SIZE BYTE");
            memset(num(b, 1), num(b, 2), (byte) num(b, 3), out);
        } else if (is(b, "endianness")) {
            out.put("OK little\n");
        } else if (is(b, "clock_step")) {
            long now;
            if (words > 1) {
                long ns = num(b, 1);
                if (ns < 0) {
                    throw new IllegalArgumentException("clock_step: negative step");
                }
                deviceLock.lock();
                try {
                    now = ctx.clockControl().step(ns);
                } finally {
                    deviceLock.unlock();
                }
            } else {
                deviceLock.lock();
                try {
                    now = ctx.clockControl().stepToNextDeadline();
                } finally {
                    deviceLock.unlock();
                }
            }
            out.okDecimal(now);
        } else if (is(b, "clock_set")) {
            need(words, 1, "clock_set NS");
            long ns = num(b, 1);
            long now;
            deviceLock.lock();
            try {
                now = ctx.clockControl().set(ns);
            } finally {
                deviceLock.unlock();
            }
            out.okDecimal(now);
        } else if (is(b, "irq_intercept_in") || is(b, "irq_intercept_out")) {
            need(words, 1, "irq_intercept_in QOM-PATH");
            String path = new String(b, wordStart[1], wordEnd[1] - wordStart[1], StandardCharsets.US_ASCII);
            if (interceptPath == null) {
                interceptPath = path;
                irqIntercept.accept(path);
                out.ok();
            } else if (interceptPath.equals(path)) {
                out.ok();
            } else {
                out.fail("IRQ intercept already enabled");
            }
        } else {
            out.put("FAIL Unknown command '").put(b, wordStart[0], len).put("'\n");
        }
    }

    /** outX/inX/writeX/readX; returns false if the word is none of them. */
    private boolean sized(byte[] b, int words, ReplyBuffer out) throws BadNumber {
        int s = wordStart[0];
        int len = wordEnd[0] - s;
        byte last = b[s + len - 1];
        int size = switch (last) {
            case 'b' -> 1;
            case 'w' -> 2;
            case 'l' -> 4;
            case 'q' -> 8;
            default -> 0;
        };
        if (size == 0) {
            return false;
        }
        boolean port;
        boolean write;
        if (len == 3 && b[s] == 'i' && b[s + 1] == 'n' && size != 8) {
            port = true;
            write = false;
        } else if (len == 4 && b[s] == 'o' && b[s + 1] == 'u' && b[s + 2] == 't' && size != 8) {
            port = true;
            write = true;
        } else if (len == 5 && b[s] == 'r' && b[s + 1] == 'e' && b[s + 2] == 'a' && b[s + 3] == 'd') {
            port = false;
            write = false;
        } else if (len == 6 && b[s] == 'w' && b[s + 1] == 'r' && b[s + 2] == 'i' && b[s + 3] == 't' && b[s + 4] == 'e') {
            port = false;
            write = true;
        } else {
            return false;
        }
        if (words < (write ? 3 : 2)) {
            throw new IllegalArgumentException("usage: " + new String(b, s, len, StandardCharsets.US_ASCII)
                    + (write ? " ADDR VALUE" : " ADDR"));
        }
        long addr = num(b, 1);
        AddressSpace space = port ? io : system;
        if (port && (addr < 0 || addr > 0xffff)) {
            // the port space is 64 KiB; QEMU masks nothing, so this is the guest's unassigned space
            if (write) {
                out.ok();
            } else {
                out.okHex((1L << (8 * size)) - 1, 4);
            }
            return true;
        }
        if (write) {
            long value = num(b, 2);
            if (size < 8) {
                value &= (1L << (8 * size)) - 1;
            }
            deviceLock.lock();
            try {
                space.write(addr, size, value);
            } finally {
                deviceLock.unlock();
            }
            out.ok();
        } else {
            long v;
            deviceLock.lock();
            try {
                v = space.read(addr, size);
            } finally {
                deviceLock.unlock();
            }
            if (size < 8) {
                v &= (1L << (8 * size)) - 1;
            }
            out.okHex(v, port ? 4 : 16);
        }
        return true;
    }

    private static int checkRange(long addr, long size, String what) {
        if (size <= 0 || size > MAX_TRANSFER) {
            throw new IllegalArgumentException(what + ": size must be 1.." + MAX_TRANSFER + ", got " + size);
        }
        if (Long.compareUnsigned(addr + size - 1, addr) < 0) {
            throw new IllegalArgumentException(what + ": the range wraps around the end of the address space");
        }
        return (int) size;
    }

    /** Reads guest memory the CPU way: RAM directly, anything else through the address space bytewise. */
    private byte[] readMemory(long addr, int n) {
        byte[] data = new byte[n];
        deviceLock.lock();
        try {
            if (ram.contains(addr, n)) {
                ram.read(addr, data, 0, n);
            } else {
                for (int i = 0; i < n; i++) {
                    data[i] = (byte) system.read(addr + i, 1);
                }
            }
        } finally {
            deviceLock.unlock();
        }
        return data;
    }

    private void writeMemory(long addr, byte[] data, int n) {
        deviceLock.lock();
        try {
            if (ram.contains(addr, n)) {
                ram.write(addr, data, 0, n);
            } else {
                for (int i = 0; i < n; i++) {
                    system.write(addr + i, 1, data[i] & 0xff);
                }
            }
        } finally {
            deviceLock.unlock();
        }
    }

    private void read(long addr, long size, ReplyBuffer out, boolean base64) {
        int n = checkRange(addr, size, base64 ? "b64read" : "read");
        byte[] data = readMemory(addr, n);
        if (base64) {
            out.put("OK ").put(Base64.getEncoder().encode(data)).put((byte) '\n');
        } else {
            out.put("OK 0x").hex(data, 0, n).put((byte) '\n');
        }
    }

    private void writeHex(byte[] b, long addr, long size, ReplyBuffer out) {
        int n = checkRange(addr, size, "write");
        int s = wordStart[3];
        int e = wordEnd[3];
        if (e - s < 2 || b[s] != '0' || (b[s + 1] != 'x' && b[s + 1] != 'X')) {
            throw new IllegalArgumentException("write: data must be 0x followed by hex digits");
        }
        byte[] data = new byte[n];
        int p = s + 2;
        // data shorter than SIZE is zero-filled, as QEMU does; a lone last nibble counts as missing
        for (int i = 0; i < n && p + 1 < e; i++, p += 2) {
            int hi = Character.digit(b[p], 16);
            int lo = Character.digit(b[p + 1], 16);
            if (hi < 0 || lo < 0) {
                throw new IllegalArgumentException("write: '" + (char) b[p] + (char) b[p + 1] + "' is not hex");
            }
            data[i] = (byte) (hi << 4 | lo);
        }
        writeMemory(addr, data, n);
        out.ok();
    }

    private void writeB64(byte[] b, long addr, long size, ReplyBuffer out) {
        int n = checkRange(addr, size, "b64write");
        byte[] data;
        try {
            data = Base64.getDecoder().decode(java.util.Arrays.copyOfRange(b, wordStart[3], wordEnd[3]));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("b64write: " + e.getMessage());
        }
        // QEMU writes what was decoded, at most SIZE bytes
        writeMemory(addr, data, Math.min(n, data.length));
        out.ok();
    }

    private void memset(long addr, long size, byte value, ReplyBuffer out) {
        int n = checkRange(addr, size, "memset");
        byte[] data = new byte[n];
        java.util.Arrays.fill(data, value);
        writeMemory(addr, data, n);
        out.ok();
    }
}
