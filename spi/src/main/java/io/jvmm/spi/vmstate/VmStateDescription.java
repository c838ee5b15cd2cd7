package io.jvmm.spi.vmstate;

import java.util.List;
import java.util.Objects;

/**
 * Describes one piece of device state the way QEMU's VMStateDescription does: a name, a version,
 * the oldest version this code can still load, the fields (written by {@link Saver}, read by
 * {@link Loader}), and subsections sent only when {@link VmStateSubsection#needed()} says so.
 *
 * <p>Adding a field: bump {@code version} and have the loader fill the old default when it loads
 * an older version, or add a subsection with a {@code needed} predicate.
 */
public record VmStateDescription(
        String name,
        int version,
        int minimumVersion,
        Saver saver,
        Loader loader,
        List<VmStateSubsection> subsections) {

    public VmStateDescription {
        Objects.requireNonNull(name, "name");
        if (minimumVersion < 1 || minimumVersion > version) {
            throw new IllegalArgumentException(name + ": minimumVersion must be in 1.." + version);
        }
        subsections = List.copyOf(subsections == null ? List.of() : subsections);
    }

    public VmStateDescription(String name, int version, int minimumVersion, Saver saver, Loader loader) {
        this(name, version, minimumVersion, saver, loader, List.of());
    }

    @FunctionalInterface
    public interface Saver {
        void save(StateWriter out);
    }

    @FunctionalInterface
    public interface Loader {
        /** Loads fields written by version {@code version} (between minimumVersion and version). */
        void load(StateReader in, int version);
    }
}
