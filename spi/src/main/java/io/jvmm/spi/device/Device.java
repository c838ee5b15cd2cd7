package io.jvmm.spi.device;

/** A realized device. Close releases what it holds (threads, descriptors). */
public interface Device extends AutoCloseable {

    String id();

    /** Device reset (system reset). */
    default void reset() {
    }

    @Override
    default void close() {
    }
}
