package io.jvmm.spi.memory;

/** A guest-supplied address or length falls outside guest RAM. Devices treat it as a guest error. */
public class GuestMemoryException extends RuntimeException {
    public GuestMemoryException(String message) {
        super(message);
    }
}
