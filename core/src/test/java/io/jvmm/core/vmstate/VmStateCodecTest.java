package io.jvmm.core.vmstate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.spi.vmstate.StateReader;
import io.jvmm.spi.vmstate.VmStateDescription;
import io.jvmm.spi.vmstate.VmStateException;
import io.jvmm.spi.vmstate.VmStateSubsection;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class VmStateCodecTest {

    /** A device-like state: every field type, one optional subsection. */
    static final class Nic {
        boolean linkUp = true;
        int status = 0x81;
        int queuePairs = 4;
        long features = 0x1_0000_0030L;
        long guestFeatures = 0xFFFF_FFFF_FFFF_FFFFL;
        byte[] mac = {0x52, 0x54, 0, 0x12, 0x34, 0x56};
        String ifname = "tap-é";
        boolean announce;
        int announceRounds;
        int[] fds = new int[0];

        VmStateDescription description(int version) {
            return new VmStateDescription("test-nic", version, 1, out -> {
                out.bool("link_up", linkUp);
                out.u8("status", status);
                out.u16("queue_pairs", queuePairs);
                out.u32("mtu", 1500);
                out.u64("features", features);
                if (version >= 2) {
                    out.u64("guest_features", guestFeatures);
                }
                out.bytes("mac", mac);
                out.string("ifname", ifname);
                for (int i = 0; i < fds.length; i++) {
                    out.fd("queue_fd", fds[i]);
                }
            }, (in, v) -> {
                linkUp = in.bool("link_up");
                status = in.u8("status");
                queuePairs = (int) Math.max(1, in.u16("queue_pairs"));
                in.u32InRange("mtu", 68, 65535);
                features = in.u64("features");
                guestFeatures = v >= 2 ? in.u64("guest_features") : 0;
                mac = in.bytes("mac", 6);
                ifname = in.string("ifname", 16);
                fds = new int[in.localMigration() ? queuePairs : 0];
                for (int i = 0; i < fds.length; i++) {
                    fds[i] = in.fd("queue_fd");
                }
            }, List.of(new VmStateSubsection("test-nic/announce", 1, () -> announce,
                    out -> out.u8("rounds", announceRounds),
                    (in, v) -> {
                        announce = true;
                        announceRounds = in.u8("rounds");
                    })));
        }
    }

    private static SavedSection roundTrip(Nic from, Nic to, int version) {
        SavedSection s = VmStateCodec.save("net0", from.description(version), false);
        VmStateCodec.load(to.description(version), s, new DescriptorTable(s.fds()));
        return s;
    }

    @Test
    void everyFieldTypeRoundTrips() {
        Nic a = new Nic();
        a.linkUp = false;
        a.status = 7;
        a.queuePairs = 3;
        Nic b = new Nic();
        b.mac = null;
        SavedSection s = roundTrip(a, b, 2);
        assertFalse(b.linkUp);
        assertEquals(7, b.status);
        assertEquals(3, b.queuePairs);
        assertEquals(a.features, b.features);
        assertEquals(0xFFFF_FFFF_FFFF_FFFFL, b.guestFeatures);
        assertArrayEquals(a.mac, b.mac);
        assertEquals("tap-é", b.ifname);
        assertEquals("test-nic", s.name());
        assertEquals(2, s.version());
        assertFalse(b.announce, "a subsection that was not needed is not sent");
        assertTrue(VmStateCodec.validate(s) >= 8);
    }

    @Test
    void subsectionIsSentOnlyWhenNeeded() {
        Nic a = new Nic();
        a.announce = true;
        a.announceRounds = 5;
        Nic b = new Nic();
        roundTrip(a, b, 2);
        assertTrue(b.announce);
        assertEquals(5, b.announceRounds);
    }

    @Test
    void olderVersionLoadsIntoNewerCode() {
        Nic a = new Nic();
        SavedSection v1 = VmStateCodec.save("net0", a.description(1), false);
        Nic b = new Nic();
        VmStateCodec.load(b.description(2), v1, new DescriptorTable(new int[0]));
        assertEquals(0, b.guestFeatures, "a field added in version 2 gets its old default");
    }

    @Test
    void newerVersionIsRejectedWithTheRange() {
        SavedSection v2 = VmStateCodec.save("net0", new Nic().description(2), false);
        Nic b = new Nic();
        VmStateException e = assertThrows(VmStateException.class,
                () -> VmStateCodec.load(b.description(1), v2, new DescriptorTable(new int[0])));
        assertTrue(e.getMessage().contains("'test-nic' (instance 'net0')"), e.getMessage());
        assertTrue(e.getMessage().contains("version 2 is outside"), e.getMessage());
    }

    @Test
    void tooOldVersionIsRejected() {
        SavedSection v1 = VmStateCodec.save("net0", new Nic().description(1), false);
        VmStateDescription needsTwo = new VmStateDescription("test-nic", 2, 2, out -> { }, (in, v) -> { });
        VmStateException e = assertThrows(VmStateException.class,
                () -> VmStateCodec.load(needsTwo, v1, new DescriptorTable(new int[0])));
        assertTrue(e.getMessage().contains("(2..2)"), e.getMessage());
    }

    @Test
    void wrongTypeOrNameNamesSectionAndField() {
        VmStateDescription writer = new VmStateDescription("dev", 1, 1, out -> out.u16("index", 3), (in, v) -> { });
        VmStateDescription reader = new VmStateDescription("dev", 1, 1, out -> { }, (in, v) -> in.u32("index"));
        SavedSection s = VmStateCodec.save("d0", writer, false);
        VmStateException e = assertThrows(VmStateException.class,
                () -> VmStateCodec.load(reader, s, new DescriptorTable(new int[0])));
        assertTrue(e.getMessage().contains("'dev' (instance 'd0'), field 'index': expected u32 'index' but the stream has u16 'index'"),
                e.getMessage());
    }

    @Test
    void outOfRangeValueNamesField() {
        VmStateDescription writer = new VmStateDescription("dev", 1, 1, out -> out.u32("queue_pairs", 9000), (in, v) -> { });
        VmStateDescription reader = new VmStateDescription("dev", 1, 1, out -> { },
                (in, v) -> in.u32InRange("queue_pairs", 1, 256));
        SavedSection s = VmStateCodec.save("d0", writer, false);
        VmStateException e = assertThrows(VmStateException.class,
                () -> VmStateCodec.load(reader, s, new DescriptorTable(new int[0])));
        assertTrue(e.getMessage().contains("'dev' (instance 'd0')") && e.getMessage().contains("queue_pairs: 9000 is outside 1..256"),
                e.getMessage());
    }

    @Test
    void loaderThatLeavesFieldsUnreadFails() {
        VmStateDescription writer = new VmStateDescription("dev", 1, 1, out -> {
            out.u8("a", 1);
            out.u8("b", 2);
        }, (in, v) -> { });
        VmStateDescription reader = new VmStateDescription("dev", 1, 1, out -> { }, (in, v) -> in.u8("a"));
        SavedSection s = VmStateCodec.save("d0", writer, false);
        VmStateException e = assertThrows(VmStateException.class,
                () -> VmStateCodec.load(reader, s, new DescriptorTable(new int[0])));
        assertTrue(e.getMessage().contains("u8 'b' unread"), e.getMessage());
    }

    @Test
    void unknownSubsectionIsRejected() {
        VmStateDescription writer = new VmStateDescription("dev", 1, 1, out -> out.u8("a", 1), (in, v) -> { },
                List.of(new VmStateSubsection("dev/new-thing", 1, () -> true, out -> out.u8("x", 1), (in, v) -> { })));
        VmStateDescription reader = new VmStateDescription("dev", 1, 1, out -> { }, (in, v) -> in.u8("a"));
        SavedSection s = VmStateCodec.save("d0", writer, false);
        VmStateException e = assertThrows(VmStateException.class,
                () -> VmStateCodec.load(reader, s, new DescriptorTable(new int[0])));
        assertTrue(e.getMessage().contains("unknown subsection 'dev/new-thing'"), e.getMessage());
    }

    @Test
    void sectionNameMustMatchTheInstance() {
        SavedSection s = VmStateCodec.save("d0", new VmStateDescription("serial", 1, 1, out -> { }, (in, v) -> { }), false);
        VmStateException e = assertThrows(VmStateException.class, () -> VmStateCodec.load(
                new VmStateDescription("fw_cfg", 1, 1, out -> { }, (in, v) -> { }), s, new DescriptorTable(new int[0])));
        assertTrue(e.getMessage().contains("is a 'fw_cfg', not a 'serial'"), e.getMessage());
    }

    @Test
    void lengthBeyondLoaderLimitIsRejectedBeforeAllocating() {
        VmStateDescription writer = new VmStateDescription("dev", 1, 1, out -> out.bytes("mac", new byte[7]), (in, v) -> { });
        SavedSection s = VmStateCodec.save("d0", writer, false);
        VmStateDescription reader = new VmStateDescription("dev", 1, 1, out -> { }, (in, v) -> in.bytes("mac", 6));
        VmStateException e = assertThrows(VmStateException.class,
                () -> VmStateCodec.load(reader, s, new DescriptorTable(new int[0])));
        assertTrue(e.getMessage().contains("field 'mac': length 7 exceeds the maximum of 6"), e.getMessage());
    }

    @Test
    void hugeLengthFieldInAForgedSectionIsRejected() {
        // bytes field "b" claiming 0x7fffffff bytes with only 3 present
        byte[] forged = {6, 1, 'b', 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1, 2, 3};
        SavedSection s = new SavedSection("dev", "d0", 1, false, forged, new int[0]);
        VmStateDescription reader = new VmStateDescription("dev", 1, 1, out -> { },
                (in, v) -> in.bytes("b", Integer.MAX_VALUE));
        VmStateException e = assertThrows(VmStateException.class,
                () -> VmStateCodec.load(reader, s, new DescriptorTable(new int[0])));
        assertTrue(e.getMessage().contains("exceeds the 3 bytes left"), e.getMessage());
        assertThrows(VmStateException.class, () -> VmStateCodec.validate(s));
    }

    @Test
    void everyTruncationOfAValidSectionFailsCleanly() {
        Nic a = new Nic();
        a.announce = true;
        SavedSection s = VmStateCodec.save("net0", a.description(2), false);
        a.announce = false;
        // cut exactly before the subsection is a complete section without it: the stream's record
        // length and CRC32C catch that cut, not the field codec
        int subsectionStart = VmStateCodec.save("net0", a.description(2), false).payload().length;
        for (int len = 0; len < s.payload().length; len++) {
            if (len == subsectionStart) {
                continue;
            }
            SavedSection cut = new SavedSection(s.name(), s.instanceId(), s.version(), false,
                    Arrays.copyOf(s.payload(), len), new int[0]);
            assertThrows(VmStateException.class,
                    () -> VmStateCodec.load(new Nic().description(2), cut, new DescriptorTable(new int[0])),
                    "truncated at " + len);
        }
    }

    @Test
    void everySingleByteCorruptionFailsOrLoadsOnlyInRangeValues() {
        Nic a = new Nic();
        a.announce = true;
        SavedSection s = VmStateCodec.save("net0", a.description(2), false);
        for (int i = 0; i < s.payload().length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] p = s.payload().clone();
                p[i] ^= (byte) (1 << bit);
                SavedSection bad = new SavedSection(s.name(), s.instanceId(), s.version(), false, p, new int[0]);
                Nic b = new Nic();
                try {
                    VmStateCodec.load(b.description(2), bad, new DescriptorTable(new int[0]));
                    // a flipped value bit may load; then the loader's own checks held
                    assertTrue(b.mac.length <= 6 && b.ifname.length() <= 16);
                } catch (VmStateException expected) {
                    assertTrue(expected.getMessage().contains("vmstate 'test-nic' (instance 'net0')"),
                            expected.getMessage());
                }
            }
        }
    }

    @Test
    void descriptorsNeedALocalMigration() {
        Nic a = new Nic();
        a.fds = new int[] {7};
        VmStateException e = assertThrows(VmStateException.class,
                () -> VmStateCodec.save("net0", a.description(2), false));
        assertTrue(e.getMessage().contains("field 'queue_fd'"), e.getMessage());
    }

    @Test
    void descriptorsAreClaimedByIndexAndTheRestStayWithTheCaller() {
        Nic a = new Nic();
        a.queuePairs = 2;
        a.fds = new int[] {40, 41};
        SavedSection s = VmStateCodec.save("net0", a.description(2), true);
        assertArrayEquals(new int[] {40, 41}, s.fds());
        assertTrue(s.local());
        // the receiving side got the descriptors under other numbers, plus one nobody asked for
        DescriptorTable table = new DescriptorTable(new int[] {90, 91, 92});
        Nic b = new Nic();
        VmStateCodec.load(b.description(2), s, table);
        assertArrayEquals(new int[] {90, 91}, b.fds);
        assertArrayEquals(new int[] {92}, table.unclaimed());
        assertArrayEquals(new int[] {90, 91}, table.claimedDescriptors());
    }

    @Test
    void descriptorIndexBeyondWhatArrivedFails() {
        Nic a = new Nic();
        a.queuePairs = 2;
        a.fds = new int[] {40, 41};
        SavedSection s = VmStateCodec.save("net0", a.description(2), true);
        DescriptorTable table = new DescriptorTable(new int[] {90});
        VmStateException e = assertThrows(VmStateException.class,
                () -> VmStateCodec.load(new Nic().description(2), s, table));
        assertTrue(e.getMessage().contains("descriptor index 1 but only 1 descriptors arrived"), e.getMessage());
        assertArrayEquals(new int[] {90}, table.claimedDescriptors(), "what was claimed is known to the caller");
    }

    @Test
    void saverErrorsAreWrappedWithTheSection() {
        VmStateDescription d = new VmStateDescription("dev", 1, 1, out -> out.u8("x", 256), (in, v) -> { });
        VmStateException e = assertThrows(VmStateException.class, () -> VmStateCodec.save("d0", d, false));
        assertTrue(e.getMessage().contains("field 'x': 256 does not fit"), e.getMessage());
    }

    @Test
    void controlFieldsRoundTripAndRejectLeftovers() {
        byte[] b = VmStateCodec.encodeFields("hello", out -> {
            out.bool("local", true);
            out.string("uri", "unix:/x");
        });
        StateReader[] seen = new StateReader[1];
        String uri = VmStateCodec.decodeFields("hello", b, in -> {
            assertTrue(in.bool("local"));
            seen[0] = in;
            return in.string("uri", 100);
        });
        assertEquals("unix:/x", uri);
        assertThrows(VmStateException.class, () -> VmStateCodec.decodeFields("hello", b, in -> in.bool("local")));
    }
}
