package io.jvmm.core.config;

import io.jvmm.spi.config.ConfigException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Locale;

/** Parses values the way QEMU spells them: on/off booleans, C-style integers, sizes with suffixes. */
public final class PropertyValues {
    private static final BigInteger U64_LIMIT = BigInteger.ONE.shiftLeft(64);

    private PropertyValues() {
    }

    /** on/off, yes/no, true/false (QEMU's spellings). */
    public static boolean parseBool(String s) {
        return switch (s) {
            case "on", "yes", "true", "y" -> true;
            case "off", "no", "false", "n" -> false;
            default -> throw new ConfigException("'" + s + "' is not a boolean (use on or off)");
        };
    }

    /** A signed 64-bit integer: decimal, 0x hex or 0 octal, as C's strtoll with base 0. */
    public static long parseInt(String s) {
        String t = s.strip();
        boolean negative = t.startsWith("-");
        String digits = negative || t.startsWith("+") ? t.substring(1) : t;
        int radix = 10;
        if (digits.startsWith("0x") || digits.startsWith("0X")) {
            radix = 16;
            digits = digits.substring(2);
        } else if (digits.length() > 1 && digits.startsWith("0")) {
            radix = 8;
            digits = digits.substring(1);
        }
        if (digits.isEmpty() || !digits.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new ConfigException("'" + s + "' is not an integer");
        }
        BigInteger v;
        try {
            v = new BigInteger(digits, radix);
        } catch (NumberFormatException e) {
            throw new ConfigException("'" + s + "' is not an integer");
        }
        if (negative) {
            v = v.negate();
        }
        // Accept the full unsigned 64-bit range too (QEMU's uint64 properties), as two's complement.
        if (v.bitLength() > 64 || v.compareTo(U64_LIMIT) >= 0 || v.compareTo(BigInteger.valueOf(Long.MIN_VALUE)) < 0) {
            throw new ConfigException("'" + s + "' does not fit in 64 bits");
        }
        return v.longValue();
    }

    /**
     * A byte size: a number (decimals allowed with a suffix, as QEMU's "1.5G") with an optional
     * suffix B, K, M, G, T, P, E (powers of 1024). A bare number is bytes, except where QEMU's
     * {@code -m} reads it as MiB: the caller decides that with {@code defaultUnit}.
     */
    public static long parseSize(String s, long defaultUnit) {
        String t = s.strip();
        if (t.isEmpty()) {
            throw new ConfigException("empty size");
        }
        char last = Character.toUpperCase(t.charAt(t.length() - 1));
        long unit = defaultUnit;
        String number = t;
        int shift = "BKMGTPE".indexOf(last);
        if (Character.isLetter(last)) {
            if (shift < 0) {
                boolean numberBefore = t.length() > 1 && t.substring(0, t.length() - 1).matches("[0-9.]+");
                throw new ConfigException(numberBefore ? "'" + s + "' has an unknown size suffix (use B, K, M, G, T, P or E)"
                        : "'" + s + "' is not a size (examples: 1G, 512M, 4096)");
            }
            unit = 1L << (10 * shift);
            number = t.substring(0, t.length() - 1);
        }
        if (number.startsWith("0x") || number.startsWith("0X")) {
            if (Character.isLetter(last)) {
                throw new ConfigException("'" + s + "': hex sizes take no suffix");
            }
            return checkedSize(BigDecimal.valueOf(parseInt(number)), unit, s);
        }
        BigDecimal value;
        try {
            value = new BigDecimal(number);
        } catch (NumberFormatException e) {
            throw new ConfigException("'" + s + "' is not a size (examples: 1G, 512M, 4096)");
        }
        return checkedSize(value, unit, s);
    }

    private static long checkedSize(BigDecimal value, long unit, String original) {
        if (value.signum() < 0) {
            throw new ConfigException("'" + original + "': a size cannot be negative");
        }
        BigDecimal bytes = value.multiply(BigDecimal.valueOf(unit));
        if (bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new ConfigException("'" + original + "' is too large");
        }
        try {
            return bytes.longValueExact();
        } catch (ArithmeticException e) {
            throw new ConfigException("'" + original + "' is not a whole number of bytes");
        }
    }

    /** Human form of a byte count for messages: 1G, 512M, 4097. */
    public static String formatSize(long bytes) {
        String[] units = {"", "K", "M", "G", "T"};
        int i = 0;
        long v = bytes;
        while (i < units.length - 1 && v != 0 && v % 1024 == 0) {
            v /= 1024;
            i++;
        }
        return v + units[i];
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
