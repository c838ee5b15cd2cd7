package io.jvmm.spi.vmstate;

import java.util.function.BooleanSupplier;

/** A subsection: sent only when {@code needed} is true; a target that lacks it rejects the stream. */
public record VmStateSubsection(String name, int version, BooleanSupplier needed,
        VmStateDescription.Saver saver, VmStateDescription.Loader loader) {
}
