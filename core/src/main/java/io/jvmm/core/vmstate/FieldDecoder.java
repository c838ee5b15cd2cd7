package io.jvmm.core.vmstate;

import io.jvmm.spi.vmstate.StateReader;
import io.jvmm.spi.vmstate.VmStateException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads fields in order from a bounded buffer, checking each one's tag and name against what the
 * loader asks for. Every length is checked against the loader's limit and the bytes left before
 * anything is allocated. Errors name the section and the field.
 */
final class FieldDecoder implements StateReader {
    private final ByteBuffer in;
    private final String section;
    private final DescriptorTable fds;
    private final boolean local;

    FieldDecoder(ByteBuffer in, String section, DescriptorTable fds, boolean local) {
        this.in = in;
        this.section = section;
        this.fds = fds;
        this.local = local;
    }

    @Override
    public boolean localMigration() {
        return local;
    }

    @Override
    public boolean bool(String field) {
        expect(FieldType.BOOL, field);
        int v = (int) u(field, 1);
        if (v > 1) {
            throw error(field, "bool value " + v + " is neither 0 nor 1");
        }
        return v == 1;
    }

    @Override
    public int u8(String field) {
        expect(FieldType.U8, field);
        return (int) u(field, 1);
    }

    @Override
    public int u16(String field) {
        expect(FieldType.U16, field);
        return (int) u(field, 2);
    }

    @Override
    public long u32(String field) {
        expect(FieldType.U32, field);
        return u(field, 4);
    }

    @Override
    public long u64(String field) {
        expect(FieldType.U64, field);
        return u(field, 8);
    }

    @Override
    public byte[] bytes(String field, int maxLength) {
        expect(FieldType.BYTES, field);
        return lengthPrefixed(field, maxLength);
    }

    @Override
    public String string(String field, int maxLength) {
        expect(FieldType.STRING, field);
        byte[] b = lengthPrefixed(field, maxLength);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw error(field, "string is not valid UTF-8");
        }
    }

    @Override
    public int fd(String field) {
        expect(FieldType.FD, field);
        int index = (int) u(field, 2);
        return fds.claim(index, section, field);
    }

    /** True when the next thing in the buffer is a subsection or the end: the loader read every field. */
    boolean atFieldsEnd() {
        return !in.hasRemaining() || (in.get(in.position()) & 0xFF) == FieldType.SUBSECTION.tag();
    }

    /** Describes the next unread field, for the error when a loader leaves fields behind. */
    String peekFieldDescription() {
        int pos = in.position();
        try {
            FieldType t = FieldType.ofTag(in.get() & 0xFF);
            String name = name("(unread)");
            return (t == null ? "unknown type" : t.label()) + " '" + name + "'";
        } catch (VmStateException e) {
            return "a malformed field";
        } finally {
            in.position(pos);
        }
    }

    boolean hasRemaining() {
        return in.hasRemaining();
    }

    /** Reads a subsection header; the returned decoder covers exactly its fields. */
    Subsection nextSubsection() {
        int tag = u("(subsection)", 1) == FieldType.SUBSECTION.tag() ? FieldType.SUBSECTION.tag() : -1;
        if (tag < 0) {
            throw new VmStateException("vmstate " + section + ": expected a subsection after the fields");
        }
        String name = name("(subsection)");
        long version = u(name, 4);
        long length = u(name, 4);
        if (length > in.remaining()) {
            throw new VmStateException("vmstate " + section + ", subsection '" + name + "': length " + length
                    + " exceeds the " + in.remaining() + " bytes left in the section");
        }
        ByteBuffer body = in.slice(in.position(), (int) length);
        in.position(in.position() + (int) length);
        return new Subsection(name, version, new FieldDecoder(body, section + ", subsection '" + name + "'", fds, local));
    }

    record Subsection(String name, long version, FieldDecoder fields) {
    }

    private void expect(FieldType type, String field) {
        if (!in.hasRemaining()) {
            throw error(field, "the section ends before this field (expected " + type.label() + ")");
        }
        int tag = in.get() & 0xFF;
        String name = name(field);
        FieldType found = FieldType.ofTag(tag);
        if (found != type || !name.equals(field)) {
            throw error(field, "expected " + type.label() + " '" + field + "' but the stream has "
                    + (found == null ? "unknown type " + tag : found.label()) + " '" + name + "'");
        }
    }

    private String name(String field) {
        int len = (int) u(field, 1);
        if (len == 0 || len > in.remaining()) {
            throw error(field, "malformed field name (length " + len + ", " + in.remaining() + " bytes left)");
        }
        byte[] b = new byte[len];
        in.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private long u(String field, int bytes) {
        if (in.remaining() < bytes) {
            throw error(field, "truncated: needs " + bytes + " bytes, " + in.remaining() + " left");
        }
        long v = 0;
        for (int i = 0; i < bytes; i++) {
            v = (v << 8) | (in.get() & 0xFF);
        }
        return v;
    }

    private byte[] lengthPrefixed(String field, int maxLength) {
        long len = u(field, 4);
        if (len > maxLength) {
            throw error(field, "length " + len + " exceeds the maximum of " + maxLength);
        }
        if (len > in.remaining()) {
            throw error(field, "length " + len + " exceeds the " + in.remaining() + " bytes left in the section");
        }
        byte[] b = new byte[(int) len];
        in.get(b);
        return b;
    }

    private VmStateException error(String field, String what) {
        return new VmStateException("vmstate " + section + ", field '" + field + "': " + what);
    }
}
