package io.jvmm.core.migration;

import io.jvmm.core.vmstate.SavedSection;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * Writes records (docs/migration.md). Descriptors are handed to {@link DescriptorSink} right after
 * the record that announces them, once the buffered bytes before them are flushed, so their marker
 * bytes sit exactly where the reader expects them.
 */
final class MigrationStreamWriter {
    /** Sends descriptors out of band (the channel's SCM_RIGHTS). */
    interface DescriptorSink {
        void send(int[] fds) throws IOException;
    }

    private final DataOutputStream out;
    private final DescriptorSink descriptors;
    private final byte[] pageBuffer = new byte[StreamFormat.MAX_PAGES_PER_RECORD * StreamFormat.PAGE_SIZE];

    MigrationStreamWriter(OutputStream raw, DescriptorSink descriptors) {
        this.out = new DataOutputStream(new BufferedOutputStream(raw, 256 << 10));
        this.descriptors = descriptors;
    }

    void writeHeader() throws IOException {
        out.write(StreamFormat.MAGIC);
        out.writeInt(StreamFormat.VERSION);
    }

    void writeRecord(RecordType type, byte[] payload) throws IOException {
        writeRecord(type, payload, 0, payload.length);
    }

    private void writeRecord(RecordType type, byte[] payload, int offset, int length) throws IOException {
        if (length > type.maxLength()) {
            throw new MigrationException(type + " record of " + length + " bytes exceeds the format's limit of "
                    + type.maxLength());
        }
        CRC32C crc = new CRC32C();
        crc.update(type.code());
        crc.update(length >>> 24);
        crc.update(length >>> 16);
        crc.update(length >>> 8);
        crc.update(length);
        crc.update(payload, offset, length);
        out.writeByte(type.code());
        out.writeInt(length);
        out.write(payload, offset, length);
        out.writeInt((int) crc.getValue());
    }

    /** A SECTION record, then its descriptors (if any) out of band. */
    void writeSection(SavedSection s) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(s.payload().length + 64);
        DataOutputStream d = new DataOutputStream(b);
        writeName(d, s.name());
        writeName(d, s.instanceId());
        d.writeInt(s.version());
        d.writeByte(s.local() ? 1 : 0);
        d.writeShort(s.fds().length);
        d.write(s.payload());
        writeRecord(RecordType.SECTION, b.toByteArray());
        if (s.fds().length > 0) {
            out.flush();
            descriptors.send(s.fds());
        }
    }

    /** A RAM_FD record and the memfd descriptor after it. */
    void writeRamFd(String kind, long size, int fd) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(b);
        d.writeLong(size);
        writeName(d, kind);
        writeRecord(RecordType.RAM_FD, b.toByteArray());
        out.flush();
        descriptors.send(new int[] {fd});
    }

    /**
     * A RAM_PAGES record for {@code pages} pages of {@code ram} from {@code offset}: all-zero pages are
     * sent as a flag only (QEMU's zero-page compression).
     *
     * @return how many of the pages were zero
     */
    int writeRamPages(MemorySegment ram, long offset, int pages, MemorySegment zeroPage) throws IOException {
        int header = 8 + 2 + pages;
        int pos = header;
        int zeros = 0;
        for (int i = 0; i < pages; i++) {
            MemorySegment page = ram.asSlice(offset + (long) i * StreamFormat.PAGE_SIZE, StreamFormat.PAGE_SIZE);
            if (page.mismatch(zeroPage) == -1) {
                pageBuffer[10 + i] = StreamFormat.PAGE_ZERO;
                zeros++;
            } else {
                pageBuffer[10 + i] = StreamFormat.PAGE_DATA;
                MemorySegment.copy(page, ValueLayout.JAVA_BYTE, 0, pageBuffer, pos, StreamFormat.PAGE_SIZE);
                pos += StreamFormat.PAGE_SIZE;
            }
        }
        for (int i = 0; i < 8; i++) {
            pageBuffer[i] = (byte) (offset >>> (56 - 8 * i));
        }
        pageBuffer[8] = (byte) (pages >>> 8);
        pageBuffer[9] = (byte) pages;
        writeRecord(RecordType.RAM_PAGES, pageBuffer, 0, pos);
        return zeros;
    }

    void flush() throws IOException {
        out.flush();
    }

    long written() {
        return out.size() & 0xFFFF_FFFFL;
    }

    static void writeName(DataOutputStream d, String name) throws IOException {
        byte[] b = name.getBytes(StandardCharsets.UTF_8);
        if (b.length > 255) {
            throw new MigrationException("name longer than 255 bytes: " + name);
        }
        d.writeByte(b.length);
        d.write(b);
    }
}
