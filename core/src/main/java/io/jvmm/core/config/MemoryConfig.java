package io.jvmm.core.config;

import java.util.List;
import java.util.Optional;

/**
 * Guest RAM: size in bytes and backend, as QEMU's memory-backend-ram|memfd|file.
 *
 * @param path the file for backend {@code file} ({@code mem-path})
 * @param share map the backend shared (always true for memfd)
 */
public record MemoryConfig(long size, String backend, Optional<String> path, boolean share) {
    public static final long DEFAULT_SIZE = 128L << 20;
    public static final List<String> BACKENDS = List.of("ram", "memfd", "file");

    public static MemoryConfig defaults() {
        return new MemoryConfig(DEFAULT_SIZE, "ram", Optional.empty(), false);
    }
}
