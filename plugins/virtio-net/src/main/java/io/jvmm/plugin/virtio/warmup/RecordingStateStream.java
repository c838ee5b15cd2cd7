package io.jvmm.plugin.virtio.warmup;

import io.jvmm.spi.vmstate.StateReader;
import io.jvmm.spi.vmstate.StateWriter;
import io.jvmm.spi.vmstate.VmStateException;
import java.util.ArrayList;
import java.util.List;

/**
 * Named fields in order, as the core's codec keeps them: a writer and a reader that checks names. For
 * the data-path warm-up (a save and load of its private device) and the unit tests.
 */
public final class RecordingStateStream implements StateWriter {
    public record Field(String name, Object value) {
    }

    public final List<Field> fields = new ArrayList<>();

    @Override
    public void bool(String f, boolean v) {
        fields.add(new Field(f, v));
    }

    @Override
    public void u8(String f, int v) {
        fields.add(new Field(f, (long) (v & 0xff)));
    }

    @Override
    public void u16(String f, int v) {
        fields.add(new Field(f, (long) (v & 0xffff)));
    }

    @Override
    public void u32(String f, long v) {
        fields.add(new Field(f, v & 0xffffffffL));
    }

    @Override
    public void u64(String f, long v) {
        fields.add(new Field(f, v));
    }

    @Override
    public void bytes(String f, byte[] v) {
        fields.add(new Field(f, v.clone()));
    }

    @Override
    public void string(String f, String v) {
        fields.add(new Field(f, v));
    }

    @Override
    public void fd(String f, int fd) {
        throw new UnsupportedOperationException("no descriptors in this stream");
    }

    public StateReader reader() {
        return new StateReader() {
            private int next;

            private Object take(String name) {
                if (next >= fields.size()) {
                    throw new VmStateException("stream ends before field " + name);
                }
                Field f = fields.get(next++);
                if (!f.name().equals(name)) {
                    throw new VmStateException("expected field " + name + " but found " + f.name());
                }
                return f.value();
            }

            @Override
            public boolean bool(String f) {
                return (Boolean) take(f);
            }

            @Override
            public int u8(String f) {
                return (int) (long) (Long) take(f);
            }

            @Override
            public int u16(String f) {
                return (int) (long) (Long) take(f);
            }

            @Override
            public long u32(String f) {
                return (Long) take(f);
            }

            @Override
            public long u64(String f) {
                return (Long) take(f);
            }

            @Override
            public byte[] bytes(String f, int max) {
                byte[] b = (byte[]) take(f);
                if (b.length > max) {
                    throw new VmStateException(f + ": " + b.length + " bytes, more than " + max);
                }
                return b;
            }

            @Override
            public String string(String f, int max) {
                return (String) take(f);
            }

            @Override
            public int fd(String f) {
                throw new UnsupportedOperationException();
            }
        };
    }
}
