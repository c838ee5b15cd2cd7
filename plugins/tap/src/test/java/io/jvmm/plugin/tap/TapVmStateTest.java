package io.jvmm.plugin.tap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.spi.vmstate.VmStateException;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The tap's vmstate, version 1, without a tap: its field layout (a saved stream of this version
 * must keep loading, so the layout is pinned here) and the loader's refusal of out-of-range values.
 * A waiting migration target (incoming-fds=on) opens nothing, so this runs anywhere.
 */
class TapVmStateTest {

    private static TapBackend waitingTarget(int queues) {
        return TapProps.create("net0", TapProps.INCOMING, "incoming-fds", true, "queues", (long) queues,
                "downscript", "no");
    }

    @Test
    void version1LayoutIsPinned() {
        try (TapBackend b = waitingTarget(2)) {
            assertEquals("tap", b.vmstate().name());
            assertEquals(1, b.vmstate().version());
            assertEquals(1, b.vmstate().minimumVersion());
            MemoryVmState out = new MemoryVmState(false);
            b.vmstate().saver().save(out);
            assertEquals(List.of("ifname:string", "queues:u32", "vnet_hdr:bool", "vnet_hdr_len:u8", "offloads:u8",
                    "supported_offloads:u8", "queue0.enabled:bool", "queue1.enabled:bool"),
                    out.fields.stream().map(f -> f.name() + ":" + f.type()).toList());
        }
    }

    /** A version-1 stream as a source with 2 queues, vnet header 12, csum+tso4 writes it (no descriptors). */
    private static MemoryVmState fixture(Consumer<List<MemoryVmState.Field>> edit) {
        MemoryVmState s = new MemoryVmState(false);
        s.string("ifname", "tap0");
        s.u32("queues", 2);
        s.bool("vnet_hdr", true);
        s.u8("vnet_hdr_len", 12);
        s.u8("offloads", 0x03);
        s.u8("supported_offloads", 0x1f);
        s.bool("queue0.enabled", true);
        s.bool("queue1.enabled", false);
        edit.accept(s.fields);
        return s;
    }

    private static void set(List<MemoryVmState.Field> fields, String name, Object value) {
        for (int i = 0; i < fields.size(); i++) {
            if (fields.get(i).name().equals(name)) {
                fields.set(i, new MemoryVmState.Field(name, fields.get(i).type(), value));
                return;
            }
        }
        throw new IllegalArgumentException(name);
    }

    private static String refused(MemoryVmState stream) {
        try (TapBackend b = waitingTarget(2)) {
            return assertThrows(VmStateException.class, () -> stream.loadInto(b.vmstate())).getMessage();
        }
    }

    @Test
    void outOfRangeValuesAreRefusedNamingTheField() {
        assertTrue(refused(fixture(f -> set(f, "vnet_hdr_len", 11L))).contains("vnet_hdr_len 11"));
        assertTrue(refused(fixture(f -> set(f, "vnet_hdr", false))).contains("vnet_hdr_len 12 is invalid"));
        assertTrue(refused(fixture(f -> set(f, "offloads", 0x20L))).contains("offloads 0x20"));
        assertTrue(refused(fixture(f -> set(f, "supported_offloads", 0x01L))).contains("inconsistent"));
        assertTrue(refused(fixture(f -> set(f, "queues", 0L))).contains("queues: 0 is outside 1..256"));
        assertTrue(refused(fixture(f -> set(f, "queues", 100_000L))).contains("outside 1..256"));
        assertTrue(refused(fixture(f -> set(f, "ifname", "averyveryverylongname"))).contains("ifname"));
    }

    @Test
    void aWellFormedStreamWithoutDescriptorsIsRefusedByAWaitingTargetWithTheReason() {
        String msg = refused(fixture(f -> { }));
        assertTrue(msg.contains("sent none") && msg.contains("local=true"), msg);
    }
}
