package io.jvmm.spi.vmstate;

/**
 * Reads fields in the order they were written. Each read checks the field's name and type, and
 * the range where one is given; a mismatch throws {@link VmStateException} naming the section and
 * field.
 */
public interface StateReader {
    boolean bool(String field);

    int u8(String field);

    int u16(String field);

    long u32(String field);

    long u64(String field);

    /** Reads bytes of at most {@code maxLength}; longer is an error, never an allocation. */
    byte[] bytes(String field, int maxLength);

    String string(String field, int maxLength);

    /** A descriptor that arrived with the stream; the reader now owns it. */
    int fd(String field);

    /** Reads an unsigned 32-bit value and checks it lies in [min, max]. */
    default long u32InRange(String field, long min, long max) {
        long v = u32(field);
        if (v < min || v > max) {
            throw new VmStateException(field + ": " + v + " is outside " + min + ".." + max);
        }
        return v;
    }

    /** True when the section was saved with {@link StateWriter#localMigration()} on (descriptors follow). */
    default boolean localMigration() {
        return false;
    }
}
