package io.jvmm.core.memory;

import io.jvmm.core.os.LibC;
import io.jvmm.spi.config.ConfigException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Creates guest RAM from a backend description, as QEMU's memory-backend-ram, -memfd and -file:
 * <ul>
 *   <li>{@code ram}: anonymous private memory (MAP_NORESERVE: pages cost nothing until touched);
 *   <li>{@code memfd}: an anonymous file, always shared, whose descriptor can be passed to another
 *       process (local migration hands it over instead of copying RAM);
 *   <li>{@code file}: a file such as /dev/shm/NAME, created or extended to the size, mapped shared
 *       when {@code share} is on so that two processes see the same pages.
 * </ul>
 */
public final class MemoryBackends {
    private MemoryBackends() {
    }

    public static GuestRam create(String backend, long size, Optional<Path> path, boolean share) {
        return create(backend, size, path, share, RamLayout.pc(size));
    }

    public static GuestRam create(String backend, long size, Optional<Path> path, boolean share, List<RamBlock> layout) {
        if (size <= 0 || size % 4096 != 0) {
            throw new ConfigException("memory size must be a positive multiple of 4 KiB, got " + size);
        }
        int prot = LibC.PROT_READ | LibC.PROT_WRITE;
        GuestRam.MemoryBackend mb = switch (backend) {
            case "ram" -> {
                if (path.isPresent()) {
                    throw new ConfigException("backend 'ram' takes no path; use backend 'file' for mem-path");
                }
                long addr = LibC.mmap(0, size, prot, LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS | LibC.MAP_NORESERVE, -1, 0);
                yield new GuestRam.MemoryBackend("ram", Optional.empty(), false, addr, size, -1);
            }
            case "memfd" -> {
                int fd = LibC.memfdCreate("jvmm-guest-ram");
                try {
                    LibC.ftruncate(fd, size);
                    long addr = LibC.mmap(0, size, prot, LibC.MAP_SHARED, fd, 0);
                    yield new GuestRam.MemoryBackend("memfd", Optional.empty(), true, addr, size, fd);
                } catch (RuntimeException e) {
                    LibC.close(fd);
                    throw e;
                }
            }
            case "file" -> {
                Path p = path.orElseThrow(() -> new ConfigException(
                        "backend 'file' needs a path (mem-path=), e.g. /dev/shm/jvmm-ram"));
                int fd;
                try {
                    fd = LibC.open(p.toString(), LibC.O_RDWR | LibC.O_CREAT | LibC.O_CLOEXEC, 0600);
                } catch (RuntimeException e) {
                    throw new ConfigException("cannot open memory file " + p + ": " + e.getMessage(), e);
                }
                try {
                    if (LibC.fileSize(fd) < size) {
                        LibC.ftruncate(fd, size);
                    }
                    long addr = LibC.mmap(0, size, prot, share ? LibC.MAP_SHARED : LibC.MAP_PRIVATE, fd, 0);
                    yield new GuestRam.MemoryBackend("file", Optional.of(p.toString()), share, addr, size, fd);
                } catch (RuntimeException e) {
                    LibC.close(fd);
                    throw e;
                }
            }
            default -> throw new ConfigException("unknown memory backend '" + backend + "' (known: ram, memfd, file)");
        };
        try {
            return new GuestRam(mb, layout);
        } catch (RuntimeException e) {
            mb.close();
            throw e;
        }
    }
}
