package io.jvmm.core.vmstate;

import io.jvmm.spi.vmstate.VmStateDescription;
import io.jvmm.spi.vmstate.VmStateException;
import io.jvmm.spi.vmstate.VmStateSubsection;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Saves a {@link VmStateDescription} into a {@link SavedSection} and loads one back, QEMU's way:
 * the saver writes the fields of the current version, then each subsection whose {@code needed}
 * predicate holds; the loader accepts versions from {@code minimumVersion} to {@code version},
 * must consume every field, and rejects subsections it does not know.
 */
public final class VmStateCodec {
    private VmStateCodec() {
    }

    /**
     * Saves one piece of state.
     *
     * @param descriptorsAllowed true when this section hands host resources over (local migration):
     *     {@code StateWriter.localMigration()} is true and fd fields are accepted; otherwise they fail
     */
    public static SavedSection save(String instanceId, VmStateDescription d, boolean descriptorsAllowed) {
        String label = "'" + d.name() + "' (instance '" + instanceId + "')";
        List<Integer> fds = new ArrayList<>();
        FieldEncoder fields = new FieldEncoder(label, fds, descriptorsAllowed);
        try {
            d.saver().save(fields);
            for (VmStateSubsection sub : d.subsections()) {
                if (sub.needed() == null || sub.needed().getAsBoolean()) {
                    FieldEncoder subFields = new FieldEncoder(label + ", subsection '" + sub.name() + "'", fds,
                            descriptorsAllowed);
                    sub.saver().save(subFields);
                    fields.subsection(sub.name(), sub.version(), subFields.toByteArray());
                }
            }
        } catch (VmStateException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new VmStateException("vmstate " + label + ": saving failed: " + e.getMessage(), e);
        }
        byte[] payload = fields.toByteArray();
        if (payload.length > VmStateLimits.MAX_SECTION_PAYLOAD) {
            throw new VmStateException("vmstate " + label + ": " + payload.length + " bytes exceed the section limit of "
                    + VmStateLimits.MAX_SECTION_PAYLOAD);
        }
        return new SavedSection(d.name(), instanceId, d.version(), descriptorsAllowed, payload,
                fds.stream().mapToInt(Integer::intValue).toArray());
    }

    /**
     * Loads {@code s} into {@code d}. Descriptors come from {@code fds}; the ones a loader claims are
     * the device's, the rest stay in the table for the caller to close.
     */
    public static void load(VmStateDescription d, SavedSection s, DescriptorTable fds) {
        String label = s.label();
        if (!d.name().equals(s.name())) {
            throw new VmStateException("vmstate " + label + ": this VM's instance '" + s.instanceId() + "' is a '"
                    + d.name() + "', not a '" + s.name() + "'");
        }
        checkVersion(label, s.version(), d.minimumVersion(), d.version());
        FieldDecoder in = new FieldDecoder(ByteBuffer.wrap(s.payload()), label, fds, s.local());
        try {
            d.loader().load(in, s.version());
            if (!in.atFieldsEnd()) {
                throw new VmStateException("vmstate " + label + ": version " + s.version() + " loader left "
                        + in.peekFieldDescription() + " unread (the saved fields do not match this version)");
            }
            Set<String> seen = new HashSet<>();
            while (in.hasRemaining()) {
                FieldDecoder.Subsection sub = in.nextSubsection();
                VmStateSubsection known = d.subsections().stream()
                        .filter(x -> x.name().equals(sub.name())).findFirst()
                        .orElseThrow(() -> new VmStateException("vmstate " + label + ": unknown subsection '"
                                + sub.name() + "' (the source is newer and needed state this version cannot load)"));
                if (!seen.add(sub.name())) {
                    throw new VmStateException("vmstate " + label + ": subsection '" + sub.name() + "' appears twice");
                }
                String subLabel = label + ", subsection '" + sub.name() + "'";
                checkVersion(subLabel, sub.version(), 1, known.version());
                known.loader().load(sub.fields(), (int) sub.version());
                if (sub.fields().hasRemaining()) {
                    throw new VmStateException("vmstate " + subLabel + ": loader left "
                            + sub.fields().peekFieldDescription() + " unread");
                }
            }
        } catch (VmStateException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("vmstate ")) {
                throw e;
            }
            // a device's own check (u32InRange, a loader's validation): add which section it was
            throw new VmStateException("vmstate " + label + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new VmStateException("vmstate " + label + ": loading failed: " + e.getMessage(), e);
        }
    }

    /**
     * Encodes loose fields (no descriptors) with the same self-describing format, for the
     * migration stream's own control records (handshake, replies).
     */
    public static byte[] encodeFields(String label, java.util.function.Consumer<io.jvmm.spi.vmstate.StateWriter> fields) {
        FieldEncoder out = new FieldEncoder(label, new ArrayList<>(), false);
        fields.accept(out);
        return out.toByteArray();
    }

    /** Decodes fields written by {@link #encodeFields}; every field must be read. */
    public static <T> T decodeFields(String label, byte[] bytes,
            java.util.function.Function<io.jvmm.spi.vmstate.StateReader, T> fields) {
        FieldDecoder in = new FieldDecoder(ByteBuffer.wrap(bytes), label, new DescriptorTable(new int[0]), false);
        T result = fields.apply(in);
        if (in.hasRemaining()) {
            throw new VmStateException(label + ": unexpected " + in.peekFieldDescription() + " after the last field");
        }
        return result;
    }

    /**
     * True if a reader from {@link #decodeFields} has fields left: lets a record gain optional trailing
     * fields while streams written before them keep loading.
     */
    public static boolean hasMoreFields(io.jvmm.spi.vmstate.StateReader in) {
        return in instanceof FieldDecoder d && d.hasRemaining();
    }

    /**
     * Walks every field and subsection of {@code s} without a device: checks tags, names and lengths.
     * Used to reject a malformed section early and to warm the load path before a switchover.
     *
     * @return the number of fields seen
     */
    public static int validate(SavedSection s) {
        ByteBuffer in = ByteBuffer.wrap(s.payload());
        return walk(in, s.label(), s.fds().length, true);
    }

    private static int walk(ByteBuffer in, String label, int fdCount, boolean allowSubsections) {
        int fields = 0;
        while (in.hasRemaining()) {
            int tag = in.get() & 0xFF;
            FieldType t = FieldType.ofTag(tag);
            if (t == null || (t == FieldType.SUBSECTION && !allowSubsections)) {
                throw new VmStateException("vmstate " + label + ": unknown field type " + tag + " at offset "
                        + (in.position() - 1));
            }
            String name = readName(in, label);
            fields++;
            switch (t) {
                case BOOL, U8 -> skip(in, 1, label, name);
                case U16 -> skip(in, 2, label, name);
                case U32 -> skip(in, 4, label, name);
                case U64 -> skip(in, 8, label, name);
                case BYTES, STRING -> skip(in, readLength(in, label, name), label, name);
                case FD -> {
                    need(in, 2, label, name);
                    int index = in.getShort() & 0xFFFF;
                    if (index >= fdCount) {
                        throw new VmStateException("vmstate " + label + ", field '" + name + "': descriptor index "
                                + index + " but the section carries " + fdCount);
                    }
                }
                case SUBSECTION -> {
                    skip(in, 4, label, name);
                    int len = readLength(in, label, name);
                    need(in, len, label, name);
                    ByteBuffer body = in.slice(in.position(), len);
                    in.position(in.position() + len);
                    fields += walk(body, label + ", subsection '" + name + "'", fdCount, false);
                }
            }
        }
        return fields;
    }

    private static String readName(ByteBuffer in, String label) {
        need(in, 1, label, "(name)");
        int len = in.get() & 0xFF;
        if (len == 0) {
            throw new VmStateException("vmstate " + label + ": empty field name at offset " + in.position());
        }
        need(in, len, label, "(name)");
        byte[] b = new byte[len];
        in.get(b);
        return new String(b, java.nio.charset.StandardCharsets.UTF_8);
    }

    private static int readLength(ByteBuffer in, String label, String name) {
        need(in, 4, label, name);
        long len = in.getInt() & 0xFFFF_FFFFL;
        if (len > in.remaining()) {
            throw new VmStateException("vmstate " + label + ", field '" + name + "': length " + len
                    + " exceeds the " + in.remaining() + " bytes left");
        }
        return (int) len;
    }

    private static void skip(ByteBuffer in, int n, String label, String name) {
        need(in, n, label, name);
        in.position(in.position() + n);
    }

    private static void need(ByteBuffer in, int n, String label, String name) {
        if (in.remaining() < n) {
            throw new VmStateException("vmstate " + label + ", field '" + name + "': truncated (needs " + n
                    + " bytes, " + in.remaining() + " left)");
        }
    }

    private static void checkVersion(String label, long version, int min, int max) {
        if (version < min || version > max) {
            throw new VmStateException("vmstate " + label + ": version " + version + " is outside the range this VM"
                    + " loads (" + min + ".." + max + ")");
        }
    }
}
