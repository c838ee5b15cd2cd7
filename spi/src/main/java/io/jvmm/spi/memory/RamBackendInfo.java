package io.jvmm.spi.memory;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * How guest RAM is backed, for migration: shared file or memfd RAM need not be copied when both
 * sides map the same pages.
 *
 * @param kind "ram", "memfd" or "file"
 * @param path the file for kind "file"
 * @param shared mapped MAP_SHARED
 * @param fd the descriptor of a memfd (or of the file, when opened through FFM)
 */
public record RamBackendInfo(String kind, long size, Optional<String> path, boolean shared, OptionalInt fd) {
}
