package io.jvmm.core.migration;

import java.nio.charset.StandardCharsets;

/** Constants of the stream format (docs/migration.md). */
final class StreamFormat {
    /** "JVMM-MIG": the first 8 bytes of every stream. */
    static final byte[] MAGIC = "JVMM-MIG".getBytes(StandardCharsets.US_ASCII);
    /** Bumped only when the framing changes; device state is versioned per section instead. */
    static final int VERSION = 1;
    static final int PAGE_SIZE = 4096;
    static final int MAX_PAGES_PER_RECORD = 256;
    static final int PAGE_ZERO = 0;
    static final int PAGE_DATA = 1;

    private StreamFormat() {
    }
}
