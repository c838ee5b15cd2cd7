package io.jvmm.plugin.qtest;

/**
 * Parses qtest numbers as QEMU does (qemu_strtou64, base 0): {@code 0x} hex, a leading {@code 0}
 * octal, otherwise decimal; a leading {@code -} wraps modulo 2^64 like strtoull. Works on the raw
 * request bytes so the hot path allocates nothing. Anything else in the word is an error.
 */
final class QtestNumbers {
    private QtestNumbers() {
    }

    /** Thrown for a malformed number; the session answers FAIL with the message. */
    static final class BadNumber extends Exception {
        BadNumber(String message) {
            super(message, null, false, false);
        }
    }

    static long parse(byte[] b, int start, int end) throws BadNumber {
        int i = start;
        boolean negative = false;
        if (i < end && (b[i] == '-' || b[i] == '+')) {
            negative = b[i] == '-';
            i++;
        }
        if (i >= end) {
            throw new BadNumber("empty number");
        }
        int radix = 10;
        if (b[i] == '0' && i + 1 < end && (b[i + 1] == 'x' || b[i + 1] == 'X')) {
            radix = 16;
            i += 2;
            if (i >= end) {
                throw new BadNumber("'0x' without digits");
            }
        } else if (b[i] == '0' && i + 1 < end) {
            radix = 8;
            i++;
        }
        long v = 0;
        for (; i < end; i++) {
            int d = digit(b[i]);
            if (d < 0 || d >= radix) {
                throw new BadNumber("'" + new String(b, start, end - start, java.nio.charset.StandardCharsets.US_ASCII)
                        + "' is not a number");
            }
            long next = v * radix + d;
            // unsigned overflow check: more than 64 bits of value
            if (Long.compareUnsigned(v, Long.divideUnsigned(-1L, radix)) > 0 || Long.compareUnsigned(next, v * radix) < 0) {
                throw new BadNumber("number out of range");
            }
            v = next;
        }
        return negative ? -v : v;
    }

    private static int digit(byte c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
