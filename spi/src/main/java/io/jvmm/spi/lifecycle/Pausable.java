package io.jvmm.spi.lifecycle;

/**
 * Anything that moves data on its own (I/O threads, timers) and must stop when the VM stops.
 * After {@link #pause()} returns, nothing more is read from or written to the outside world or
 * guest memory until {@link #resume()}.
 */
public interface Pausable {
    void pause();

    void resume();
}
