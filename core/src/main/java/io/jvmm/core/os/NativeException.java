package io.jvmm.core.os;

/** A failed system call, with errno and its text. */
public class NativeException extends RuntimeException {
    private final int errno;

    public NativeException(String call, int errno) {
        super(call + " failed: " + LibC.strerror(errno) + " (errno " + errno + ")");
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
