package io.jvmm.plugin.tap;

import io.jvmm.spi.vmstate.StateReader;
import io.jvmm.spi.vmstate.StateWriter;
import io.jvmm.spi.vmstate.VmStateException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * An in-memory stand-in for the migration codec: fields in order with name and type; descriptor
 * fields are dup()ed, as SCM_RIGHTS gives the receiver new descriptors for the same open files.
 * {@link #loadInto} closes descriptors as core's IncomingMigration does: the unclaimed ones after a
 * successful load, all of the section's after a failed one (loaders keep descriptors only on success).
 */
final class MemoryVmState implements StateWriter {
    record Field(String name, String type, Object value) {
    }

    final List<Field> fields = new ArrayList<>();
    private final boolean local;
    private final List<Integer> unclaimed = new ArrayList<>();

    MemoryVmState(boolean local) {
        this.local = local;
    }

    @Override
    public boolean localMigration() {
        return local;
    }

    @Override
    public void bool(String f, boolean v) {
        fields.add(new Field(f, "bool", v));
    }

    @Override
    public void u8(String f, int v) {
        fields.add(new Field(f, "u8", (long) v));
    }

    @Override
    public void u16(String f, int v) {
        fields.add(new Field(f, "u16", (long) v));
    }

    @Override
    public void u32(String f, long v) {
        fields.add(new Field(f, "u32", v));
    }

    @Override
    public void u64(String f, long v) {
        fields.add(new Field(f, "u64", v));
    }

    @Override
    public void bytes(String f, byte[] v) {
        fields.add(new Field(f, "bytes", v.clone()));
    }

    @Override
    public void string(String f, String v) {
        fields.add(new Field(f, "string", v));
    }

    @Override
    public void fd(String f, int fd) {
        if (!local) {
            throw new VmStateException("field " + f + ": this transport cannot carry descriptors");
        }
        try (Arena a = Arena.ofConfined()) {
            int copy = TapNative.dup(TapNative.newCallState(a), fd);
            if (copy < 0) {
                throw new IllegalStateException("dup " + fd);
            }
            unclaimed.add(copy);
            fields.add(new Field(f, "fd", copy));
        }
    }

    /** Replaces the descriptor sent for {@code field} (a test of a wrong descriptor arriving). */
    void replaceFd(String field, int fd) {
        for (int i = 0; i < fields.size(); i++) {
            if (fields.get(i).name().equals(field)) {
                closeFd((Integer) fields.get(i).value());
                unclaimed.remove(fields.get(i).value());
                unclaimed.add(fd);
                fields.set(i, new Field(field, "fd", fd));
                return;
            }
        }
        throw new IllegalArgumentException(field);
    }

    long fdFields() {
        return fields.stream().filter(f -> f.type().equals("fd")).count();
    }

    StateReader reader() {
        return new StateReader() {
            private int at;

            private Object next(String name, String type) {
                if (at >= fields.size()) {
                    throw new VmStateException("read past the end at " + name);
                }
                Field f = fields.get(at++);
                if (!f.name().equals(name) || !f.type().equals(type)) {
                    throw new VmStateException("expected " + name + ":" + type + ", stream has " + f.name() + ":" + f.type());
                }
                return f.value();
            }

            @Override
            public boolean localMigration() {
                return local;
            }

            @Override
            public boolean bool(String f) {
                return (Boolean) next(f, "bool");
            }

            @Override
            public int u8(String f) {
                return (int) (long) (Long) next(f, "u8");
            }

            @Override
            public int u16(String f) {
                return (int) (long) (Long) next(f, "u16");
            }

            @Override
            public long u32(String f) {
                return (Long) next(f, "u32");
            }

            @Override
            public long u64(String f) {
                return (Long) next(f, "u64");
            }

            @Override
            public byte[] bytes(String f, int max) {
                return (byte[]) next(f, "bytes");
            }

            @Override
            public String string(String f, int max) {
                String s = (String) next(f, "string");
                if (s.length() > max) {
                    throw new VmStateException(f + " too long");
                }
                return s;
            }

            @Override
            public int fd(String f) {
                int fd = (Integer) next(f, "fd");
                unclaimed.remove((Integer) fd);
                return fd;
            }
        };
    }

    /** Loads like the engine; returns the close() results of what it closed (0 = was open). */
    List<Integer> loadInto(io.jvmm.spi.vmstate.VmStateDescription d) {
        List<Integer> all = fields.stream().filter(f -> f.type().equals("fd")).map(f -> (Integer) f.value()).toList();
        boolean ok = false;
        try {
            d.loader().load(reader(), d.version());
            ok = true;
        } finally {
            List<Integer> toClose = ok ? List.copyOf(unclaimed) : all;
            List<Integer> results = new ArrayList<>();
            for (int fd : toClose) {
                results.add(closeFd(fd));
            }
            unclaimed.clear();
            lastCloseResults = results;
        }
        return lastCloseResults;
    }

    /** close() results of the last loadInto (also after it threw): 0 each, or a descriptor was closed twice. */
    List<Integer> lastCloseResults = List.of();

    void closeUnclaimed() {
        unclaimed.forEach(MemoryVmState::closeFd);
        unclaimed.clear();
    }

    static int closeFd(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = TapNative.newCallState(a);
            return TapNative.close(st, fd) == 0 ? 0 : TapNative.errno(st);
        }
    }
}
