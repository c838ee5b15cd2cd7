package io.jvmm.core.migration;

/**
 * The records of a migration stream (docs/migration.md). Each is framed as type (u8), length (u32),
 * payload, CRC32C (u32) over type, length and payload. {@code maxLength} bounds the payload so a
 * corrupted or lying length can never make the reader allocate or wait for more.
 */
public enum RecordType {
    /** source to target: what the source is and will send, checked before the source stops. */
    HELLO(0x01, 1 << 20),
    /** target to source: the target can load this stream; lists the backends that get descriptors. */
    ACCEPT(0x02, 1 << 20),
    /** target to source: the target cannot load this stream; the reason as text. */
    REJECT(0x03, 64 << 10),
    /** one device's state; its descriptors follow out of band. */
    SECTION(0x10, (16 << 20) + 1024),
    /** up to 256 guest RAM pages (zero pages as a flag only). */
    RAM_PAGES(0x20, 16 + 256 + 256 * 4096),
    /** guest RAM handed over as a memfd descriptor (local migration). */
    RAM_FD(0x21, 4096),
    /** end of the source's data: counts to cross-check. */
    END(0x30, 4096),
    /** target to source: everything loaded; the target waits for COMMIT before it runs. */
    LOADED(0x40, 4096),
    /** target to source: loading failed; the reason as text. */
    FAILED(0x41, 64 << 10),
    /** source to target: the source is in postmigrate and will never run this guest again. */
    COMMIT(0x42, 4096);

    private final int code;
    private final int maxLength;

    RecordType(int code, int maxLength) {
        this.code = code;
        this.maxLength = maxLength;
    }

    public int code() {
        return code;
    }

    public int maxLength() {
        return maxLength;
    }

    public static RecordType ofCode(int code) {
        for (RecordType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }
}
