package io.jvmm.spi.machine;

import io.jvmm.spi.device.HostServices;
import java.util.Optional;

/** What a machine type gets to build its board: the host services every device gets. */
public interface MachineContext extends HostServices {

    /**
     * The serial port backend the user configured ({@code -serial}, YAML {@code serial}):
     * {@code stdio}, {@code null}, {@code file:PATH} or {@code unix:PATH}; empty when none.
     */
    default Optional<String> serial() {
        return Optional.empty();
    }

    /** The firmware image given with {@code -bios FILE} (YAML {@code bios}), if any. */
    default Optional<String> bios() {
        return Optional.empty();
    }
}
