package io.jvmm.spi.config;

/** Types a device, netdev, machine or QMP argument property can have. */
public enum PropertyType {
    /** on/off, true/false, yes/no (QEMU's spellings). */
    BOOL,
    /** A signed 64-bit integer; C-style 0x and 0 prefixes accepted on the command line. */
    INT,
    /** A byte size with optional K/M/G/T suffix (powers of 1024), as QEMU's {@code -m}. */
    SIZE,
    STRING,
    /** A list of strings (YAML sequence, or colon-separated on the command line as QEMU's fds=). */
    STRING_LIST,
    /** A JSON/YAML object or list passed through untouched (QMP arguments only). */
    ANY
}
