package io.jvmm.machine.q35;

import io.jvmm.spi.config.ConfigException;
import io.jvmm.spi.memory.IoHandler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code -bios} image as read-only memory ending at 4 GiB, where x86 starts executing
 * (0xFFFFFFF0), as QEMU maps pc.bios. jvmm's qtest accelerator has no CPU to run it; it is mapped so
 * the guest-visible memory map is QEMU's (a test reading the reset vector sees the same bytes).
 * QEMU also mirrors the last 128 KiB below 1 MiB (isa-bios); jvmm does not, because RAM covers that
 * range here (listed in docs/conformance.md).
 */
final class BiosRom implements IoHandler {
    static final long MAX_SIZE = 16L << 20;
    private final byte[] image;

    private BiosRom(byte[] image) {
        this.image = image;
    }

    static BiosRom load(String file) {
        byte[] image;
        try {
            long size = Files.size(Path.of(file));
            if (size == 0 || size > MAX_SIZE || size % 65536 != 0) {
                throw new ConfigException("-bios " + file + ": size " + size + " must be a non-zero multiple of 64 KiB, at most 16 MiB");
            }
            image = Files.readAllBytes(Path.of(file));
        } catch (IOException e) {
            throw new ConfigException("-bios " + file + ": cannot read it: " + e.getMessage(), e);
        }
        return new BiosRom(image);
    }

    long size() {
        return image.length;
    }

    long base() {
        return (1L << 32) - image.length;
    }

    @Override
    public long read(long offset, int size) {
        long v = 0;
        for (int i = size - 1; i >= 0; i--) {
            long o = offset + i;
            v = v << 8 | (o < image.length ? image[(int) o] & 0xff : 0xff);
        }
        return v;
    }

    @Override
    public void write(long offset, int size, long value) {
        // ROM: writes are dropped, as on the real flash without a write sequence
    }
}
