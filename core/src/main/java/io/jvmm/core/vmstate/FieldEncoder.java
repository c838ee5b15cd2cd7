package io.jvmm.core.vmstate;

import io.jvmm.spi.vmstate.StateWriter;
import io.jvmm.spi.vmstate.VmStateException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Encodes named, typed fields (big-endian, as QEMU's streams): tag, name, value. Descriptors are
 * collected into a table shared by a section and its subsections; the field holds the index.
 * Values out of their type's range are a bug in the saver and fail at once, naming the field.
 */
final class FieldEncoder implements StateWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    private final List<Integer> fds;
    private final String section;
    private final boolean descriptorsAllowed;

    FieldEncoder(String section, List<Integer> fds, boolean descriptorsAllowed) {
        this.section = section;
        this.fds = fds;
        this.descriptorsAllowed = descriptorsAllowed;
    }

    @Override
    public boolean localMigration() {
        return descriptorsAllowed;
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }

    @Override
    public void bool(String field, boolean value) {
        header(FieldType.BOOL, field);
        out.write(value ? 1 : 0);
    }

    @Override
    public void u8(String field, int value) {
        checkUnsigned(field, value, 0xFFL);
        header(FieldType.U8, field);
        out.write(value);
    }

    @Override
    public void u16(String field, int value) {
        checkUnsigned(field, value, 0xFFFFL);
        header(FieldType.U16, field);
        writeInt(value, 2);
    }

    @Override
    public void u32(String field, long value) {
        checkUnsigned(field, value, 0xFFFF_FFFFL);
        header(FieldType.U32, field);
        writeInt(value, 4);
    }

    @Override
    public void u64(String field, long value) {
        header(FieldType.U64, field);
        writeInt(value, 8);
    }

    @Override
    public void bytes(String field, byte[] value) {
        if (value == null) {
            throw error(field, "null bytes");
        }
        header(FieldType.BYTES, field);
        writeInt(value.length, 4);
        out.writeBytes(value);
    }

    @Override
    public void string(String field, String value) {
        if (value == null) {
            throw error(field, "null string");
        }
        header(FieldType.STRING, field);
        byte[] b = value.getBytes(StandardCharsets.UTF_8);
        writeInt(b.length, 4);
        out.writeBytes(b);
    }

    @Override
    public void fd(String field, int fd) {
        if (!descriptorsAllowed) {
            throw error(field, "descriptor fields need a migration channel that carries descriptors "
                    + "(a unix: URI with local migration)");
        }
        if (fd < 0) {
            throw error(field, "invalid descriptor " + fd);
        }
        if (fds.size() >= VmStateLimits.MAX_SECTION_DESCRIPTORS) {
            throw error(field, "more than " + VmStateLimits.MAX_SECTION_DESCRIPTORS + " descriptors in one section");
        }
        header(FieldType.FD, field);
        writeInt(fds.size(), 2);
        fds.add(fd);
    }

    /** Appends an encoded subsection: its name, version and the fields its saver wrote. */
    void subsection(String name, int version, byte[] fields) {
        header(FieldType.SUBSECTION, name);
        writeInt(version, 4);
        writeInt(fields.length, 4);
        out.writeBytes(fields);
    }

    private void header(FieldType type, String field) {
        byte[] name = nameBytes(section, field);
        out.write(type.tag());
        out.write(name.length);
        out.writeBytes(name);
    }

    static byte[] nameBytes(String section, String field) {
        if (field == null || field.isEmpty()) {
            throw new VmStateException("vmstate " + section + ": empty field name");
        }
        byte[] name = field.getBytes(StandardCharsets.UTF_8);
        if (name.length > VmStateLimits.MAX_NAME) {
            throw new VmStateException("vmstate " + section + ": field name longer than " + VmStateLimits.MAX_NAME
                    + " bytes: " + field);
        }
        return name;
    }

    private void writeInt(long value, int bytes) {
        for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8) {
            out.write((int) (value >>> shift));
        }
    }

    private void checkUnsigned(String field, long value, long max) {
        if (value < 0 || value > max) {
            throw error(field, value + " does not fit in 0.." + max);
        }
    }

    private VmStateException error(String field, String what) {
        return new VmStateException("vmstate " + section + ", field '" + field + "': " + what);
    }
}
