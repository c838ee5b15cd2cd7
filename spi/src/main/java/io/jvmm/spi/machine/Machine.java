package io.jvmm.spi.machine;

import java.util.Optional;

/** A built board. Devices plug into the buses it registered in its {@link MachineContext}. */
public interface Machine extends AutoCloseable {

    /** The bus a device lands on when it names none ({@code pcie.0} on q35); empty if none. */
    default Optional<String> defaultBus() {
        return Optional.empty();
    }

    /** Called once after every configured device was created, before the VM starts. */
    default void devicesCreated() {
    }

    /** System reset. */
    default void reset() {
    }

    /**
     * Releases what the board holds outside the JVM (e.g. a serial port's chardev: a file, a UNIX
     * socket). Called once when the VM is closed, after its devices, before guest RAM.
     */
    @Override
    default void close() {
    }
}
