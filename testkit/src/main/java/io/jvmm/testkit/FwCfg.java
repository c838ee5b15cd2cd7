package io.jvmm.testkit;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The guest side of QEMU's fw_cfg on x86 I/O ports: select a key with a 16-bit write to 0x510, read
 * its bytes one at a time from 0x511. Enough for what libqos reads (RAM size) and the file directory.
 */
public final class FwCfg {
    public static final int SELECTOR = 0x510, DATA = 0x511;
    public static final int SIGNATURE = 0x00, ID = 0x01, RAM_SIZE = 0x03, NB_CPUS = 0x05, MAX_CPUS = 0x0f;
    public static final int FILE_DIR = 0x19;

    private final QtestClient qtest;

    public FwCfg(QtestClient qtest) {
        this.qtest = qtest;
    }

    public byte[] read(int key, int length) {
        qtest.outw(SELECTOR, key);
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) qtest.inb(DATA);
        }
        return b;
    }

    public String signature() {
        return new String(read(SIGNATURE, 4), StandardCharsets.US_ASCII);
    }

    public long readLe(int key, int length) {
        byte[] b = read(key, length);
        long v = 0;
        for (int i = length - 1; i >= 0; i--) {
            v = v << 8 | (b[i] & 0xff);
        }
        return v;
    }

    public long ramSize() {
        return readLe(RAM_SIZE, 8);
    }

    public long id() {
        return readLe(ID, 4);
    }

    /** The file directory: name to (key, size). Big-endian fields, as the fw_cfg spec says. */
    public Map<String, long[]> files() {
        qtest.outw(SELECTOR, FILE_DIR);
        int count = (int) readBe(4);
        Map<String, long[]> files = new LinkedHashMap<>();
        for (int i = 0; i < count && i < 4096; i++) {
            long size = readBe(4);
            long select = readBe(2);
            readBe(2); // reserved
            byte[] name = new byte[56];
            for (int j = 0; j < 56; j++) {
                name[j] = (byte) qtest.inb(DATA);
            }
            int len = 0;
            while (len < 56 && name[len] != 0) {
                len++;
            }
            files.put(new String(name, 0, len, StandardCharsets.US_ASCII), new long[] {select, size});
        }
        return files;
    }

    private long readBe(int n) {
        long v = 0;
        for (int i = 0; i < n; i++) {
            v = v << 8 | qtest.inb(DATA);
        }
        return v;
    }
}
