package io.jvmm.core.migration;

import io.jvmm.core.vmstate.SavedSection;
import io.jvmm.core.vmstate.VmStateLimits;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Reads records with bounds: a record's length is checked against its type's limit before anything
 * is read, the payload is read incrementally (a truncated stream never makes it allocate the
 * announced size up front), and every record's CRC32C is verified before it is used.
 */
final class MigrationStreamReader {
    /** Receives descriptors out of band (the channel's SCM_RIGHTS). */
    interface DescriptorSource {
        int[] receive(int count) throws IOException;
    }

    record Record(RecordType type, byte[] payload) {
    }

    /** A RAM_PAGES record, parsed and checked. */
    record RamPages(long offset, byte[] kinds, byte[] data, int dataOffset) {
    }

    private final DataInputStream in;
    private final DescriptorSource descriptors;

    /** {@code raw} must not be buffered by the caller beyond what the channel itself does. */
    MigrationStreamReader(InputStream raw, DescriptorSource descriptors) {
        this.in = new DataInputStream(raw);
        this.descriptors = descriptors;
    }

    void readHeader() throws IOException {
        byte[] magic = new byte[StreamFormat.MAGIC.length];
        readFully(magic, "the stream header");
        if (!Arrays.equals(magic, StreamFormat.MAGIC)) {
            throw new MigrationException("not a jvmm migration stream (bad magic)");
        }
        int version;
        try {
            version = in.readInt();
        } catch (EOFException e) {
            throw new MigrationException("the stream ended inside the stream header");
        }
        if (version != StreamFormat.VERSION) {
            throw new MigrationException("stream format version " + version + " is not supported (this jvmm reads "
                    + StreamFormat.VERSION + ")");
        }
    }

    Record read() throws IOException {
        int code = in.read();
        if (code < 0) {
            throw new MigrationException("the stream ended (the other side closed the connection)");
        }
        RecordType type = RecordType.ofCode(code);
        if (type == null) {
            throw new MigrationException(String.format("unknown record type 0x%02x (corrupted stream)", code));
        }
        int length;
        try {
            length = in.readInt();
        } catch (EOFException e) {
            throw new MigrationException("the stream ended inside a " + type + " record header");
        }
        if (length < 0 || length > type.maxLength()) {
            throw new MigrationException(type + " record announces " + (length & 0xFFFF_FFFFL)
                    + " bytes, more than the limit of " + type.maxLength() + " (corrupted stream)");
        }
        byte[] payload = in.readNBytes(length);
        if (payload.length < length) {
            throw new MigrationException("the stream ended inside a " + type + " record (" + payload.length + " of "
                    + length + " bytes)");
        }
        int expected;
        try {
            expected = in.readInt();
        } catch (EOFException e) {
            throw new MigrationException("the stream ended before the checksum of a " + type + " record");
        }
        CRC32C crc = new CRC32C();
        crc.update(code);
        crc.update(length >>> 24);
        crc.update(length >>> 16);
        crc.update(length >>> 8);
        crc.update(length);
        crc.update(payload);
        if ((int) crc.getValue() != expected) {
            throw new MigrationException("CRC32C mismatch in a " + type + " record of " + length
                    + " bytes (corrupted stream)");
        }
        return new Record(type, payload);
    }

    /** Reads a record and checks it is of {@code type}; a FAILED or REJECT carries the other side's reason. */
    Record expect(RecordType type) throws IOException {
        Record r = read();
        if (r.type() == type) {
            return r;
        }
        if (r.type() == RecordType.REJECT || r.type() == RecordType.FAILED) {
            throw new MigrationException("target: " + ControlRecords.reason(r.payload()));
        }
        throw new MigrationException("expected a " + type + " record but got " + r.type());
    }

    /**
     * Parses a SECTION record and receives its descriptors. The descriptors are the caller's from
     * here on (returned in the section), even when parsing what follows fails.
     */
    SavedSection section(Record r) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(r.payload());
        String name = name(b, "section name");
        String id = name(b, "instance id");
        need(b, 7, "section header");
        int version = b.getInt();
        int flags = b.get() & 0xFF;
        int fdCount = b.getShort() & 0xFFFF;
        if (flags > 1) {
            throw new MigrationException("section " + name + "/" + id + ": unknown flags " + flags);
        }
        if (fdCount > VmStateLimits.MAX_SECTION_DESCRIPTORS) {
            throw new MigrationException("section " + name + "/" + id + " announces " + fdCount + " descriptors");
        }
        if (fdCount > 0 && flags == 0) {
            throw new MigrationException("section " + name + "/" + id + " carries descriptors in a non-local migration");
        }
        if (version < 1) {
            throw new MigrationException("section " + name + "/" + id + ": version " + version);
        }
        byte[] fields = Arrays.copyOfRange(r.payload(), b.position(), r.payload().length);
        int[] fds = fdCount == 0 ? new int[0] : descriptors.receive(fdCount);
        return new SavedSection(name, id, version, flags == 1, fields, fds);
    }

    /** Parses RAM_PAGES and checks it lies in RAM of {@code ramSize} bytes. */
    static RamPages ramPages(Record r, long ramSize) {
        ByteBuffer b = ByteBuffer.wrap(r.payload());
        need(b, 10, "RAM_PAGES header");
        long offset = b.getLong();
        int pages = b.getShort() & 0xFFFF;
        if (pages == 0 || pages > StreamFormat.MAX_PAGES_PER_RECORD) {
            throw new MigrationException("RAM_PAGES record with " + pages + " pages");
        }
        if (offset < 0 || offset % StreamFormat.PAGE_SIZE != 0
                || offset > ramSize - (long) pages * StreamFormat.PAGE_SIZE) {
            throw new MigrationException(String.format("RAM_PAGES at 0x%x+%d pages lies outside this VM's %d bytes of RAM",
                    offset, pages, ramSize));
        }
        need(b, pages, "RAM_PAGES kinds");
        byte[] kinds = new byte[pages];
        b.get(kinds);
        int data = 0;
        for (byte k : kinds) {
            if (k == StreamFormat.PAGE_DATA) {
                data++;
            } else if (k != StreamFormat.PAGE_ZERO) {
                throw new MigrationException("RAM_PAGES record with unknown page kind " + k);
            }
        }
        if (b.remaining() != data * StreamFormat.PAGE_SIZE) {
            throw new MigrationException("RAM_PAGES record has " + b.remaining() + " data bytes for " + data + " pages");
        }
        return new RamPages(offset, kinds, r.payload(), b.position());
    }

    /** Parses RAM_FD and receives the memfd descriptor (the caller owns it). */
    RamFd ramFd(Record r) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(r.payload());
        need(b, 8, "RAM_FD");
        long size = b.getLong();
        String kind = name(b, "RAM kind");
        int[] fd = descriptors.receive(1);
        return new RamFd(size, kind, fd[0]);
    }

    record RamFd(long size, String kind, int fd) {
    }

    private void readFully(byte[] b, String what) throws IOException {
        try {
            in.readFully(b);
        } catch (EOFException e) {
            throw new MigrationException("the stream ended inside " + what);
        }
    }

    private static String name(ByteBuffer b, String what) {
        need(b, 1, what);
        int len = b.get() & 0xFF;
        if (len == 0) {
            throw new MigrationException("empty " + what);
        }
        need(b, len, what);
        byte[] n = new byte[len];
        b.get(n);
        return new String(n, StandardCharsets.UTF_8);
    }

    private static void need(ByteBuffer b, int n, String what) {
        if (b.remaining() < n) {
            throw new MigrationException("truncated " + what + " (needs " + n + " bytes, " + b.remaining() + " left)");
        }
    }
}
