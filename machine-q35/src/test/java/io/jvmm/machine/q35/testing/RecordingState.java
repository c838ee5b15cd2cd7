package io.jvmm.machine.q35.testing;

import io.jvmm.spi.vmstate.StateReader;
import io.jvmm.spi.vmstate.StateWriter;
import io.jvmm.spi.vmstate.VmStateDescription;
import io.jvmm.spi.vmstate.VmStateException;
import io.jvmm.spi.vmstate.VmStateSubsection;
import java.util.ArrayList;
import java.util.List;

/**
 * Saves a description's fields (and needed subsections) into a list and loads them back in order,
 * checking names as the real codec does: enough to test a device's save/load pairing.
 */
public final class RecordingState implements StateWriter, StateReader {
    private record Field(String name, Object value) {
    }

    private final List<Field> fields = new ArrayList<>();
    private int pos;

    public static RecordingState save(VmStateDescription d) {
        RecordingState s = new RecordingState();
        d.saver().save(s);
        for (VmStateSubsection sub : d.subsections()) {
            if (sub.needed().getAsBoolean()) {
                s.fields.add(new Field("#" + sub.name(), sub.version()));
                sub.saver().save(s);
            }
        }
        return s;
    }

    public void loadInto(VmStateDescription d) {
        pos = 0;
        d.loader().load(this, d.version());
        while (pos < fields.size()) {
            Field f = fields.get(pos++);
            String name = f.name().substring(1);
            VmStateSubsection sub = d.subsections().stream().filter(x -> x.name().equals(name)).findFirst()
                    .orElseThrow(() -> new VmStateException("unknown subsection " + name));
            sub.loader().load(this, (Integer) f.value());
        }
    }

    /** Replaces a field's value (to test that loads check what they read). */
    public void tamper(String field, Object value) {
        for (int i = 0; i < fields.size(); i++) {
            if (fields.get(i).name().equals(field)) {
                fields.set(i, new Field(field, value));
                return;
            }
        }
        throw new IllegalArgumentException("no field " + field);
    }

    private Object next(String name) {
        if (pos >= fields.size()) {
            throw new VmStateException("stream ended before field " + name);
        }
        Field f = fields.get(pos++);
        if (!f.name().equals(name)) {
            throw new VmStateException("expected field " + name + ", found " + f.name());
        }
        return f.value();
    }

    @Override
    public void bool(String field, boolean value) {
        fields.add(new Field(field, value));
    }

    @Override
    public void u8(String field, int value) {
        fields.add(new Field(field, (long) value & 0xff));
    }

    @Override
    public void u16(String field, int value) {
        fields.add(new Field(field, (long) value & 0xffff));
    }

    @Override
    public void u32(String field, long value) {
        fields.add(new Field(field, value & 0xffff_ffffL));
    }

    @Override
    public void u64(String field, long value) {
        fields.add(new Field(field, value));
    }

    @Override
    public void bytes(String field, byte[] value) {
        fields.add(new Field(field, value.clone()));
    }

    @Override
    public void string(String field, String value) {
        fields.add(new Field(field, value));
    }

    @Override
    public boolean localMigration() {
        return false;
    }

    @Override
    public void fd(String field, int fd) {
        throw new UnsupportedOperationException("no descriptors here");
    }

    @Override
    public boolean bool(String field) {
        return (Boolean) next(field);
    }

    @Override
    public int u8(String field) {
        return (int) (long) (Long) next(field);
    }

    @Override
    public int u16(String field) {
        return (int) (long) (Long) next(field);
    }

    @Override
    public long u32(String field) {
        return (Long) next(field);
    }

    @Override
    public long u64(String field) {
        return (Long) next(field);
    }

    @Override
    public byte[] bytes(String field, int maxLength) {
        byte[] b = (byte[]) next(field);
        if (b.length > maxLength) {
            throw new VmStateException(field + ": " + b.length + " bytes exceed " + maxLength);
        }
        return b;
    }

    @Override
    public String string(String field, int maxLength) {
        return (String) next(field);
    }

    @Override
    public int fd(String field) {
        throw new UnsupportedOperationException("no descriptors here");
    }
}
