package io.jvmm.machine.q35;

import io.jvmm.spi.config.ConfigException;

/** QEMU's {@code addr=} syntax: {@code SLOT[.FUNCTION]}, slot in hex (0-1f), function 0-7. */
final class PciAddr {
    private PciAddr() {
    }

    /** The devfn for {@code addr}, or -1 (first free slot) when it is null or empty. */
    static int parse(String addr) {
        if (addr == null || addr.isEmpty()) {
            return -1;
        }
        String[] parts = addr.split("\\.", -1);
        try {
            if (parts.length > 2) {
                throw new NumberFormatException();
            }
            String s = parts[0].startsWith("0x") ? parts[0].substring(2) : parts[0];
            int slot = Integer.parseInt(s, 16);
            int fn = parts.length == 2 ? Integer.parseInt(parts[1], 16) : 0;
            if (slot < 0 || slot > 0x1f || fn < 0 || fn > 7) {
                throw new ConfigException("addr '" + addr + "': slot must be 0-1f and function 0-7");
            }
            return slot << 3 | fn;
        } catch (NumberFormatException e) {
            throw new ConfigException("addr '" + addr + "' is not SLOT[.FUNCTION] in hex (e.g. 3, 0x1f, 1f.2)");
        }
    }
}
