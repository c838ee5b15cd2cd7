package io.jvmm.core.migration;

import io.jvmm.core.vmstate.VmStateCodec;
import io.jvmm.spi.vmstate.StateReader;
import io.jvmm.spi.vmstate.VmStateException;
import java.util.ArrayList;
import java.util.List;

/**
 * Payloads of the control records, encoded with the vmstate field codec so that they are
 * self-describing and checked field by field like device state.
 */
final class ControlRecords {
    private static final int MAX_ITEMS = 4096;
    private static final int MAX_TEXT = 4096;

    private ControlRecords() {
    }

    record SectionInfo(String instanceId, String name, int version) {
    }

    /** A backend the source can hand over (local migration), with its descriptor count. */
    record BackendOffer(String backendId, int descriptors) {
    }

    /** A device's local-migration property and the backend it applies to. */
    record OptIn(String deviceId, String backendId, boolean enabled) {
    }

    record Ram(String kind, long size, boolean shared, String path) {
    }

    /**
     * What the source announces before it stops.
     *
     * @param ramMode "copy" (pages follow), "shared" (both map the same file: nothing is sent) or
     *     "fd" (the memfd descriptor follows)
     */
    record Hello(String jvmmVersion, boolean local, boolean ignoreShared, Ram ram, String ramMode,
            List<SectionInfo> sections, List<BackendOffer> offers, List<OptIn> optIns) {
    }

    static byte[] hello(Hello h) {
        return VmStateCodec.encodeFields("HELLO", out -> {
            out.string("jvmm-version", h.jvmmVersion());
            out.bool("local", h.local());
            out.bool("x-ignore-shared", h.ignoreShared());
            out.string("ram-kind", h.ram().kind());
            out.u64("ram-size", h.ram().size());
            out.bool("ram-shared", h.ram().shared());
            out.string("ram-path", h.ram().path());
            out.string("ram-mode", h.ramMode());
            out.u32("sections", h.sections().size());
            for (SectionInfo s : h.sections()) {
                out.string("instance-id", s.instanceId());
                out.string("name", s.name());
                out.u32("version", s.version());
            }
            out.u32("offers", h.offers().size());
            for (BackendOffer o : h.offers()) {
                out.string("backend", o.backendId());
                out.u32("descriptors", o.descriptors());
            }
            out.u32("opt-ins", h.optIns().size());
            for (OptIn o : h.optIns()) {
                out.string("device", o.deviceId());
                out.string("backend", o.backendId());
                out.bool("local-migration", o.enabled());
            }
        });
    }

    static Hello hello(byte[] payload) {
        return decode("HELLO", payload, in -> {
            String version = in.string("jvmm-version", MAX_TEXT);
            boolean local = in.bool("local");
            boolean ignoreShared = in.bool("x-ignore-shared");
            Ram ram = new Ram(in.string("ram-kind", 32), in.u64("ram-size"), in.bool("ram-shared"),
                    in.string("ram-path", MAX_TEXT));
            String mode = in.string("ram-mode", 16);
            if (!List.of("copy", "shared", "fd").contains(mode)) {
                throw new VmStateException("HELLO: unknown ram-mode '" + mode + "'");
            }
            int n = (int) in.u32InRange("sections", 0, MAX_ITEMS);
            List<SectionInfo> sections = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                sections.add(new SectionInfo(in.string("instance-id", 255), in.string("name", 255),
                        (int) in.u32InRange("version", 1, Integer.MAX_VALUE)));
            }
            n = (int) in.u32InRange("offers", 0, MAX_ITEMS);
            List<BackendOffer> offers = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                offers.add(new BackendOffer(in.string("backend", 255), (int) in.u32InRange("descriptors", 0, 1024)));
            }
            n = (int) in.u32InRange("opt-ins", 0, MAX_ITEMS);
            List<OptIn> optIns = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                optIns.add(new OptIn(in.string("device", 255), in.string("backend", 255), in.bool("local-migration")));
            }
            return new Hello(version, local, ignoreShared, ram, mode, sections, offers, optIns);
        });
    }

    /** ACCEPT: the backends whose descriptors the target waits for. */
    static byte[] accept(List<String> handedOver) {
        return VmStateCodec.encodeFields("ACCEPT", out -> {
            out.u32("handed-over", handedOver.size());
            handedOver.forEach(b -> out.string("backend", b));
        });
    }

    static List<String> accept(byte[] payload) {
        return decode("ACCEPT", payload, in -> {
            int n = (int) in.u32InRange("handed-over", 0, MAX_ITEMS);
            List<String> ids = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                ids.add(in.string("backend", 255));
            }
            return ids;
        });
    }

    /** REJECT and FAILED: a reason a user can act on. */
    static byte[] reason(String text) {
        String t = text == null ? "unknown error" : text;
        if (t.length() > MAX_TEXT) {
            t = t.substring(0, MAX_TEXT);
        }
        String r = t;
        return VmStateCodec.encodeFields("reason", out -> out.string("reason", r));
    }

    static String reason(byte[] payload) {
        try {
            return decode("reason", payload, in -> in.string("reason", 4 * MAX_TEXT));
        } catch (MigrationException e) {
            return "(unreadable reason: " + e.getMessage() + ")";
        }
    }

    /**
     * @param guestRunning whether the guest was running when the source stopped it: the target runs
     *     it afterwards only then (QEMU's global state), so a paused guest stays paused
     */
    record End(int sections, long ramPages, boolean guestRunning) {
    }

    static byte[] end(End e) {
        return VmStateCodec.encodeFields("END", out -> {
            out.u32("sections", e.sections());
            out.u64("ram-pages", e.ramPages());
            out.bool("guest-running", e.guestRunning());
        });
    }

    static End end(byte[] payload) {
        // guest-running came after the first streams: without it the guest was running (the old default)
        return decode("END", payload, in -> new End((int) in.u32InRange("sections", 0, MAX_ITEMS), in.u64("ram-pages"),
                !VmStateCodec.hasMoreFields(in) || in.bool("guest-running")));
    }

    /** LOADED: how long the target took to load, reported in the source's switchover breakdown. */
    static byte[] loaded(long loadMicros) {
        return VmStateCodec.encodeFields("LOADED", out -> out.u64("load-us", loadMicros));
    }

    static long loaded(byte[] payload) {
        return decode("LOADED", payload, in -> in.u64("load-us"));
    }

    static byte[] commit() {
        return VmStateCodec.encodeFields("COMMIT", out -> out.bool("postmigrate", true));
    }

    static void commit(byte[] payload) {
        decode("COMMIT", payload, in -> in.bool("postmigrate"));
    }

    private static <T> T decode(String what, byte[] payload, java.util.function.Function<StateReader, T> f) {
        try {
            return VmStateCodec.decodeFields(what, payload, f);
        } catch (VmStateException e) {
            throw new MigrationException("malformed " + what + " record: " + e.getMessage(), e);
        }
    }

}
