package io.jvmm.core.migration;

import io.jvmm.core.vmstate.DescriptorTable;
import io.jvmm.core.vmstate.SavedSection;
import io.jvmm.core.vmstate.VmStateCodec;
import io.jvmm.spi.net.Offloads;
import io.jvmm.spi.vmstate.VmStateDescription;
import io.jvmm.spi.vmstate.VmStateSubsection;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Runs the target's load path (record framing, CRC32C, field decoding, subsections) on synthetic
 * state before it accepts a migration, so that the first real load after the source stops does not
 * run in the interpreter: the first run of any code path is slow (cold JIT). Costs a few
 * milliseconds of setup time, none of downtime.
 */
final class LoadPathWarmup {
    private static final long BUDGET_NANOS = 40_000_000;
    private static final int ROUNDS = 3000;
    private static volatile long sink;

    private LoadPathWarmup() {
    }

    static void run() {
        long[] state = new long[4];
        VmStateDescription d = new VmStateDescription("warmup", 2, 1, out -> {
            out.bool("b", true);
            out.u8("u8", 1);
            out.u16("u16", 2);
            out.u32("u32", 3);
            out.u64("u64", 4);
            out.bytes("bytes", new byte[] {1, 2, 3, 4, 5, 6});
            out.string("string", "warm");
        }, (in, v) -> {
            state[0] += in.bool("b") ? 1 : 0;
            state[1] += in.u8("u8") + in.u16("u16");
            state[2] += in.u32InRange("u32", 0, 10) + in.u64("u64");
            state[3] += in.bytes("bytes", 16).length + in.string("string", 16).length();
        }, List.of(new VmStateSubsection("warmup/sub", 1, () -> true, out -> out.u32("x", 7),
                (in, v) -> state[0] += in.u32("x"))));
        long deadline = System.nanoTime() + BUDGET_NANOS;
        try {
            for (int i = 0; i < ROUNDS && System.nanoTime() < deadline; i++) {
                SavedSection s = VmStateCodec.save("warmup" + (i & 7), d, false);
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                MigrationStreamWriter w = new MigrationStreamWriter(bytes, fds -> { });
                w.writeSection(s);
                w.writeRecord(RecordType.END, ControlRecords.end(new ControlRecords.End(1, 0, true)));
                w.flush();
                MigrationStreamReader r = new MigrationStreamReader(new ByteArrayInputStream(bytes.toByteArray()),
                        n -> new int[0]);
                SavedSection back = r.section(r.read());
                VmStateCodec.load(d, back, new DescriptorTable(back.fds()));
                ControlRecords.end(r.read().payload());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        sink = state[0] + state[1] + state[2] + state[3] + warmRecordMethods() + controlRecords();
    }

    /**
     * Encodes and decodes the records both sides exchange after the stop (END, LOADED, COMMIT): each
     * first call links its lambdas, a few milliseconds apiece on a busy machine, all of it downtime.
     * The source calls this before it stops the guest, the target from {@link #run()}.
     */
    static long controlRecords() {
        long n = 0;
        for (int i = 0; i < 20; i++) {
            n += ControlRecords.end(ControlRecords.end(new ControlRecords.End(i, i, true))).sections();
            n += ControlRecords.loaded(ControlRecords.loaded(i));
            ControlRecords.commit(ControlRecords.commit());
        }
        return n;
    }

    /** Shaped like the small flag and state records that device loaders compare (e.g. offloads). */
    private record Flags(boolean a, boolean b, boolean c, boolean d, boolean e) {
    }

    private record Values(int a, long b, boolean c, Object d) {
    }

    /**
     * A record's equals/hashCode/toString are bound on first call through an invokedynamic bootstrap
     * (java.lang.runtime.ObjectMethods) that loads classes and spins method-handle forms: measured at
     * 100-120 ms in a target whose NIC loader compared two records for the first time after the
     * source stopped. The forms are shared by records of the same shape, so calling them here on
     * records of the usual shapes leaves the loaders' own records little to do.
     */
    private static long warmRecordMethods() {
        long h = 0;
        for (int i = 0; i < 4; i++) {
            Flags f = new Flags(i == 0, i == 1, i == 2, i == 3, true);
            Values v = new Values(i, i, i == 0, "x");
            h += f.hashCode() + v.hashCode() + f.toString().length() + v.toString().length();
            h += f.equals(new Flags(true, false, false, false, true)) ? 1 : 0;
            h += v.equals(new Values(0, 0, true, "x")) ? 1 : 0;
        }
        // The SPI's own record that a NIC loader compares with its backend's on every load (setOffloads):
        // its equals call site is linked once per process, so linking it here takes it off the switchover.
        Offloads o = new Offloads(true, true, false, false, false);
        h += o.equals(Offloads.NONE) ? 1 : o.hashCode();
        return h;
    }
}
