package io.jvmm.spi.vmstate;

/**
 * Writes named, typed fields. The stream records each field's name and type so that a loader can
 * check it reads what was written and name the field in errors.
 */
public interface StateWriter {
    void bool(String field, boolean value);

    void u8(String field, int value);

    void u16(String field, int value);

    void u32(String field, long value);

    void u64(String field, long value);

    void bytes(String field, byte[] value);

    void string(String field, String value);

    /**
     * A host file descriptor. Only transports that carry descriptors (UNIX sockets) accept it; the
     * descriptor travels out of band (SCM_RIGHTS) and the stream records its position.
     */
    void fd(String field, int fd);

    /**
     * True when this section's host resources are handed to a process on the same host in this
     * migration (migration parameter {@code local}, a channel that carries descriptors, and the
     * target waiting for them): a backend then writes its descriptors as {@link #fd} fields; in any
     * other migration it must not.
     */
    default boolean localMigration() {
        return false;
    }
}
