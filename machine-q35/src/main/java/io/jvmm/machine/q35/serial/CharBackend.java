package io.jvmm.machine.q35.serial;

/**
 * Where a serial port's bytes go and come from (QEMU's chardev): stdio, null, a file, a UNIX
 * socket. Output never blocks the guest for long; input is pushed to a {@link Receiver} from the
 * backend's own thread, which waits while the device has no room so no byte is dropped.
 */
public interface CharBackend extends AutoCloseable {

    /** Receives input; {@link #receive} blocks while the device's FIFO is full. */
    interface Receiver {
        void receive(int b) throws InterruptedException;
    }

    void write(byte[] data, int off, int len);

    /** Starts delivering input (a backend without input does nothing). */
    default void start(Receiver receiver) {
    }

    /** A description for logs: "stdio", "file:/tmp/x". */
    String describe();

    @Override
    void close();
}
