package io.jvmm.core.migration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jvmm.core.vmstate.DescriptorTable;
import io.jvmm.core.vmstate.SavedSection;
import io.jvmm.core.vmstate.VmStateCodec;
import io.jvmm.spi.vmstate.VmStateDescription;
import io.jvmm.spi.vmstate.VmStateException;
import io.jvmm.spi.vmstate.VmStateSubsection;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The stream format: framing, checksums, bounds, and saved streams of older versions that must keep loading. */
class MigrationStreamTest {

    /** The fixture device as version 1 saved it (the code that wrote the committed fixture). */
    static final class NicV1 {
        long features = 0x1_3000_0030L;
        byte[] mac = {0x52, 0x54, 0, 0x12, 0x34, 0x56};
        int queuePairs = 4;
        boolean announce = true;

        VmStateDescription description() {
            return new VmStateDescription("fixture-nic", 1, 1, out -> {
                out.u64("features", features);
                out.bytes("mac", mac);
                out.u16("queue_pairs", queuePairs);
            }, (in, v) -> {
            }, List.of(new VmStateSubsection("fixture-nic/announce", 1, () -> announce,
                    out -> out.u8("rounds", 3), (in, v) -> {
                    })));
        }
    }

    static final Path FIXTURE = Path.of("src/test/resources/vmstate/stream-v1-fixture-nic.bin");

    /** Writes a whole stream: header, HELLO-less body of RAM pages, sections and END. */
    static byte[] stream(List<SavedSection> sections, MemorySegment ram, int pages) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        MigrationStreamWriter w = new MigrationStreamWriter(bytes, fds -> fail("no descriptors here"));
        w.writeHeader();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment zero = a.allocate(4096);
            for (int p = 0; p < pages; p += 256) {
                w.writeRamPages(ram, (long) p * 4096, Math.min(256, pages - p), zero);
            }
        }
        for (SavedSection s : sections) {
            w.writeSection(s);
        }
        w.writeRecord(RecordType.END, ControlRecords.end(new ControlRecords.End(sections.size(), pages, true)));
        w.flush();
        return bytes.toByteArray();
    }

    /** Reads a whole stream the way the target does, loading sections into {@code loaders} by name. */
    static List<SavedSection> read(InputStream in, long ramSize) throws IOException {
        MigrationStreamReader r = new MigrationStreamReader(in, n -> {
            throw new IOException("no descriptors expected");
        });
        r.readHeader();
        List<SavedSection> sections = new ArrayList<>();
        while (true) {
            MigrationStreamReader.Record rec = r.read();
            switch (rec.type()) {
                case RAM_PAGES -> MigrationStreamReader.ramPages(rec, ramSize);
                case SECTION -> {
                    SavedSection s = r.section(rec);
                    VmStateCodec.validate(s);
                    sections.add(s);
                }
                case END -> {
                    ControlRecords.End end = ControlRecords.end(rec.payload());
                    assertEquals(sections.size(), end.sections());
                    return sections;
                }
                default -> throw new MigrationException("unexpected " + rec.type());
            }
        }
    }

    private static byte[] sample() throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ram = a.allocate(8 * 4096);
            ram.asSlice(4096, 4096).fill((byte) 0x5A);
            SavedSection nic = VmStateCodec.save("vnet.1", new NicV1().description(), false);
            return stream(List.of(nic), ram, 8);
        }
    }

    @Test
    void roundTripKeepsSectionsAndPages() throws IOException {
        List<SavedSection> got = read(new ByteArrayInputStream(sample()), 8 * 4096);
        assertEquals(1, got.size());
        assertEquals("fixture-nic", got.get(0).name());
        assertEquals("vnet.1", got.get(0).instanceId());
        assertArrayEquals(VmStateCodec.save("vnet.1", new NicV1().description(), false).payload(), got.get(0).payload());
    }

    @Test
    void everyTruncationIsAClearStreamError() throws IOException {
        byte[] full = sample();
        for (int len = 0; len < full.length; len++) {
            byte[] cut = Arrays.copyOf(full, len);
            MigrationException e = assertThrows(MigrationException.class,
                    () -> read(new ByteArrayInputStream(cut), 8 * 4096), "cut at " + len);
            assertTrue(e.getMessage().contains("ended"), "cut at " + len + ": " + e.getMessage());
        }
    }

    @Test
    void everySingleByteCorruptionIsDetected() throws IOException {
        byte[] full = sample();
        for (int i = 0; i < full.length; i++) {
            byte[] bad = full.clone();
            bad[i] ^= 0x10;
            try {
                read(new ByteArrayInputStream(bad), 8 * 4096);
                fail("corruption at byte " + i + " went unnoticed");
            } catch (MigrationException | VmStateException expected) {
                String m = expected.getMessage();
                assertTrue(m.contains("CRC32C mismatch") || m.contains("magic") || m.contains("version")
                        || m.contains("record type") || m.contains("announces") || m.contains("ended"),
                        "byte " + i + ": " + m);
            }
        }
    }

    @Test
    void aLyingLengthIsRefusedBeforeReading() {
        // a SECTION record announcing 2 GiB, followed by nothing: refused at once, nothing allocated
        byte[] header = new byte[8 + 4 + 5];
        System.arraycopy(StreamFormat.MAGIC, 0, header, 0, 8);
        header[11] = 1;
        header[12] = (byte) RecordType.SECTION.code();
        header[13] = 0x7f;
        header[14] = (byte) 0xff;
        header[15] = (byte) 0xff;
        header[16] = (byte) 0xff;
        MigrationException e = assertThrows(MigrationException.class,
                () -> read(new ByteArrayInputStream(header), 4096));
        assertTrue(e.getMessage().contains("more than the limit"), e.getMessage());
    }

    @Test
    void ramPagesOutsideRamAreRefused() throws IOException {
        byte[] full = sample();
        // the same stream read by a target with only 4 pages of RAM: the first record covers 8
        MigrationException e = assertThrows(MigrationException.class, () -> read(new ByteArrayInputStream(full), 4 * 4096));
        assertTrue(e.getMessage().contains("outside this VM's"), e.getMessage());
    }

    @Test
    void aStreamOfAnotherKindIsRefused() {
        MigrationException e = assertThrows(MigrationException.class,
                () -> read(new ByteArrayInputStream("QEVM\0\0\0\3garbage".getBytes()), 4096));
        assertTrue(e.getMessage().contains("bad magic"), e.getMessage());
    }

    @Test
    void savedVersion1StreamStillLoads() throws IOException {
        if (Boolean.getBoolean("jvmm.writeFixtures")) {
            Files.createDirectories(FIXTURE.getParent());
            try (Arena a = Arena.ofConfined()) {
                MemorySegment ram = a.allocate(4 * 4096);
                ram.asSlice(0, 4096).fill((byte) 0x42);
                Files.write(FIXTURE, stream(List.of(VmStateCodec.save("vnet.1", new NicV1().description(), false)), ram, 4));
            }
        }
        byte[] fixture = Files.readAllBytes(FIXTURE);
        List<SavedSection> sections = read(new ByteArrayInputStream(fixture), 4 * 4096);
        NicToday nic = new NicToday();
        VmStateCodec.load(nic.description(), sections.get(0), new DescriptorTable(sections.get(0).fds()));
        assertEquals(0x1_3000_0030L, nic.features);
        assertArrayEquals(new byte[] {0x52, 0x54, 0, 0x12, 0x34, 0x56}, nic.mac);
        assertEquals(4, nic.queuePairs);
        assertEquals(1500, nic.mtu, "a field version 1 did not have gets its old default");
        assertEquals(3, nic.announceRounds, "the subsection version 1 sent still loads");
    }

    /** The fixture device as today's code describes it: version 2 added mtu. */
    static final class NicToday {
        long features;
        byte[] mac;
        int queuePairs;
        long mtu;
        int announceRounds;

        VmStateDescription description() {
            return new VmStateDescription("fixture-nic", 2, 1, out -> {
                out.u64("features", features);
                out.bytes("mac", mac);
                out.u16("queue_pairs", queuePairs);
                out.u32("mtu", mtu);
            }, (in, v) -> {
                features = in.u64("features");
                mac = in.bytes("mac", 6);
                queuePairs = in.u16("queue_pairs");
                mtu = v >= 2 ? in.u32InRange("mtu", 68, 65535) : 1500;
            }, List.of(new VmStateSubsection("fixture-nic/announce", 1, () -> announceRounds > 0,
                    out -> out.u8("rounds", announceRounds), (in, v) -> announceRounds = in.u8("rounds"))));
        }
    }
}
