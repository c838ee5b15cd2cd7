package io.jvmm.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A 64 KiB BIOS image that only halts: the reset vector (0xFFFFFFF0, the last 16 bytes) holds
 * {@code cli; hlt; jmp -3}. With it the vCPU of QEMU stays halted and touches no device, so the test
 * owns the machine exactly as under jvmm's qtest accelerator (which has no vCPU at all).
 */
public final class HaltFirmware {
    public static final int SIZE = 64 * 1024;
    private static final byte[] RESET_VECTOR = {(byte) 0xfa, (byte) 0xf4, (byte) 0xeb, (byte) 0xfd};

    private HaltFirmware() {
    }

    public static byte[] image() {
        byte[] image = new byte[SIZE];
        System.arraycopy(RESET_VECTOR, 0, image, SIZE - 16, RESET_VECTOR.length);
        return image;
    }

    /** Writes the image to {@code file} (created or replaced) and returns the file. */
    public static Path write(Path file) throws IOException {
        Files.write(file, image());
        return file;
    }
}
