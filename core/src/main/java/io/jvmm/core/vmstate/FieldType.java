package io.jvmm.core.vmstate;

/**
 * The type tag written before every field, so that a loader checks it reads what was saved and a
 * stream can be walked (validated, dumped) without knowing the devices. Tags are part of the stream
 * format (docs/migration.md): never renumber them.
 */
public enum FieldType {
    BOOL(1, "bool"),
    U8(2, "u8"),
    U16(3, "u16"),
    U32(4, "u32"),
    U64(5, "u64"),
    BYTES(6, "bytes"),
    STRING(7, "string"),
    /** A host descriptor: the value is an index into the section's descriptor table. */
    FD(8, "fd"),
    /** Starts a subsection: name, version, length of its fields. */
    SUBSECTION(0x20, "subsection");

    private final int tag;
    private final String label;

    FieldType(int tag, String label) {
        this.tag = tag;
        this.label = label;
    }

    public int tag() {
        return tag;
    }

    public String label() {
        return label;
    }

    /** The type for a tag read from a stream, or null for a tag this version does not know. */
    public static FieldType ofTag(int tag) {
        for (FieldType t : values()) {
            if (t.tag == tag) {
                return t;
            }
        }
        return null;
    }
}
