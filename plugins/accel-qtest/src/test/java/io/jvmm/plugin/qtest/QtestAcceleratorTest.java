package io.jvmm.plugin.qtest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.spi.config.ConfigException;
import io.jvmm.spi.config.Properties;
import io.jvmm.spi.memory.IoHandler;
import io.jvmm.testkit.QtestClient;
import io.jvmm.testkit.QtestListener;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The accelerator against a fake VM, driven by the testkit's client over a real UNIX socket: the
 * protocol's replies and formats (as QEMU 7.2 gives them), widths reaching devices, the clock, IRQ
 * interception, malformed input, and shutdown when the test goes away.
 */
@Timeout(20)
class QtestAcceleratorTest {
    @TempDir
    Path dir;

    private final FakeAccelContext ctx = new FakeAccelContext(1 << 20);
    private QtestAccelerator accel;
    private QtestListener listener;
    private QtestClient qtest;
    /** A 16-byte device register file at port 0x1000 and MMIO 0xfe000000. */
    private final long[] reg = new long[1];

    private void start(String log) throws Exception {
        IoHandler dev = new IoHandler() {
            @Override
            public long read(long offset, int size) {
                return reg[0];
            }

            @Override
            public void write(long offset, int size, long value) {
                reg[0] = value;
                if (offset == 8) {
                    ctx.interrupts().gsi(5).setLevel(value != 0); // a device raising its line during an access
                }
            }
        };
        ctx.io.map("dev", 0x1000, 16, dev);
        ctx.system.map("dev", 0xfe00_0000L, 16, dev);
        listener = QtestListener.bind(dir.resolve("q.sock"));
        Map<String, Object> p = new HashMap<>();
        p.put("socket", "unix:" + listener.path());
        p.put("log", log);
        accel = (QtestAccelerator) new QtestAcceleratorFactory().create(ctx, Properties.of(p));
        accel.start();
        qtest = listener.accept(Duration.ofSeconds(5), () -> true);
    }

    @AfterEach
    void stop() throws Exception {
        if (qtest != null) {
            qtest.close();
        }
        if (accel != null) {
            accel.close();
        }
        if (listener != null) {
            listener.close();
        }
    }

    @Test
    void repliesHaveQemusFormats() throws Exception {
        start(null);
        assertTrue(ctx.manual, "the clock is manual under qtest");
        assertEquals("OK little", qtest.request("endianness"));
        assertEquals("OK", qtest.request("outb 0x1000 0x1ff"), "values are truncated to the width");
        assertEquals("OK 0x00ff", qtest.request("inb 0x1000"), "port reads: at least 4 hex digits");
        assertEquals("OK 0xffff", qtest.request("inw 0x2000"), "unassigned port space reads all-ones");
        assertEquals("OK 0xffffffff", qtest.request("inl 0x2000"));
        assertEquals("OK", qtest.request("writeq 0x100 0x0102030405060708"));
        assertEquals("OK 0x0000000000000708", qtest.request("readw 0x100"), "memory reads: 16 hex digits");
        assertEquals("OK 0x0102030405060708", qtest.request("readq 0x100"));
        assertEquals("OK 0x0807060504030201", qtest.request("read 0x100 8"), "read: bytes in memory order");
        assertEquals("OK", qtest.request("write 0x200 4 0x0102030405"));
        assertEquals("OK 0x01020304", qtest.request("read 0x200 4"));
        assertEquals("OK", qtest.request("write 0x200 4 0x1"), "short data is zero-filled (a lone nibble too)");
        assertEquals("OK 0x00000000", qtest.request("read 0x200 4"));
        assertEquals("OK", qtest.request("b64write 0x300 4 AAECAw=="));
        assertEquals("OK AAECAw==", qtest.request("b64read 0x300 4"));
        assertEquals("OK", qtest.request("memset 0x300 3 0x55"));
        assertEquals("OK 0x55555503", qtest.request("read 0x300 4"));
        assertEquals("OK 0x0000000000000055", qtest.request("readb 01400"), "octal address 01400 = 0x300");
        assertEquals("OK 0x0000000000000055", qtest.request("readb 768"), "decimal address");
        assertEquals("OK 0xffffffffffffffff", qtest.request("readq 0x7fff0000"), "unassigned memory reads all-ones");
        assertEquals("OK", qtest.request("outb 0x80 1 2"), "extra words are ignored, as QEMU does");
        assertEquals("FAIL Unknown command 'frobnicate'", qtest.request("frobnicate 1"));
    }

    @Test
    void accessesReachDevicesOnceAtTheirWidth() throws Exception {
        start(null);
        qtest.writew(0xfe00_0002L, 0xbeef);
        assertEquals(0xbeef, qtest.readw(0xfe00_0002L));
        qtest.outl(0x1004, 0x12345678);
        assertEquals(0x12345678, qtest.inl(0x1004));
        qtest.writeq(0xfe00_0000L, -1L);
        assertEquals(List.of("w2@fe000002=beef", "r2@fe000002", "w8@fe000000=ffffffffffffffff"), ctx.system.accesses);
        assertEquals(List.of("w4@1004=12345678", "r4@1004"), ctx.io.accesses);
        reg[0] = 0x5a;
        assertEquals("OK 0x5a5a5a5a", qtest.request("read 0xfe00000c 4"), "bulk reads of MMIO go bytewise");
        assertEquals(List.of("r1@fe00000c", "r1@fe00000d", "r1@fe00000e", "r1@fe00000f"),
                ctx.system.accesses.subList(3, 7));
    }

    @Test
    void clockStepAndSet() throws Exception {
        start(null);
        assertEquals(1000, qtest.clockStep(), "without an argument: to the next deadline");
        assertEquals(1500, qtest.clockStep(500));
        assertEquals(5000, qtest.clockSet(5000));
        assertEquals(5000, qtest.clockSet(10), "the clock never goes backwards");
        assertTrue(qtest.request("clock_step -5").startsWith("FAIL"));
    }

    @Test
    void interceptedInterruptsArriveAsIrqLines() throws Exception {
        start(null);
        ctx.raiseGsi(3, true); // before intercept: not reported
        assertEquals("OK", qtest.request("irq_intercept_in ioapic"));
        assertEquals("OK", qtest.request("irq_intercept_in ioapic"), "the same path again is fine");
        assertEquals("FAIL IRQ intercept already enabled", qtest.request("irq_intercept_out other"));
        qtest.writeb(0xfe00_0008L, 1); // the device raises GSI 5 during the access
        assertTrue(qtest.irqLevel(5), "the IRQ line came before the reply and was recorded");
        assertFalse(qtest.irqLevel(3));
        // from another thread (a device I/O thread): sent at once
        Thread t = new Thread(() -> ctx.raiseGsi(7, true));
        t.start();
        t.join();
        qtest.request("endianness");
        assertTrue(qtest.irqLevel(7));
        qtest.writeb(0xfe00_0008L, 0);
        assertFalse(qtest.irqLevel(5));
    }

    @Test
    void malformedRequestsFailAndTheSessionGoesOn() throws Exception {
        start(null);
        String[] bad = {
            "", " ", "inb", "inb  0x10", "inb 0x10 ", " inb 0x10", "outb 0x10", "outb zz 1", "outb 0x10 0xzz",
            "readb 0x", "readb 12abc", "readq 0x1ffffffffffffffff", "read 0x0 0", "read 0 0x7fffffff",
            "write 0x0 4", "write 0x0 4 1234", "write 0 2 0xgg00", "b64write 0 4 !!!!", "memset 0 -1 0",
            "clock_set", "irq_intercept_in", "\u0001\u0002\u00ff", "READB 0x1000", "read -1 4",
        };
        for (String line : bad) {
            String reply = qtest.request(line);
            assertTrue(reply.startsWith("FAIL"), "'" + line + "' answered '" + reply + "'");
        }
        // raw garbage including invalid UTF-8 and CR LF
        qtest.sendRaw(new byte[] {(byte) 0xc3, 0x28, (byte) 0xff, '\r', '\n'});
        assertTrue(qtest.readReply().startsWith("FAIL"));
        qtest.sendRaw("endianness\r\n".getBytes(StandardCharsets.US_ASCII));
        assertEquals("OK little", qtest.readReply(), "CR LF line endings work");
        // a 300 KiB line (grows the buffer) still gets an answer
        assertTrue(qtest.request("write 0 4 0x" + "0".repeat(300_000)).startsWith("OK"));
        assertEquals("OK little", qtest.request("endianness"));
        assertEquals(1, ctx.shutdown.getCount(), "the VM is still up");
    }

    @Test
    void randomRequestsAlwaysGetExactlyOneAnswer() throws Exception {
        start(null);
        String[] words = {"inb", "outw", "readq", "writel", "read", "write", "b64read", "b64write", "memset",
            "clock_step", "clock_set", "irq_intercept_in", "endianness", "0x", "0x1000", "0xfe000000", "-1", "010",
            "99999999999999999999", "0xffffffffffffffff", "AAAA", "0xzz", "", "\t", "\u00e9", "4", "0"};
        java.util.Random r = new java.util.Random(42);
        for (int i = 0; i < 5000; i++) {
            StringBuilder line = new StringBuilder();
            int n = r.nextInt(5);
            for (int k = 0; k < n; k++) {
                if (k > 0) {
                    line.append(r.nextInt(20) == 0 ? "  " : " ");
                }
                line.append(words[r.nextInt(words.length)]);
            }
            String reply = qtest.request(line.toString());
            assertTrue(reply.equals("OK") || reply.startsWith("OK ") || reply.startsWith("FAIL"),
                    "'" + line + "' answered '" + reply + "'");
        }
        assertEquals("OK little", qtest.request("endianness"), "still in step: one reply per request");
        assertEquals(1, ctx.shutdown.getCount());
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        start(null);
        StringBuilder batch = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            batch.append("writel 0x").append(Integer.toHexString(0x1000 + 4 * i)).append(' ').append(i).append('\n');
            batch.append("readl 0x").append(Integer.toHexString(0x1000 + 4 * i)).append('\n');
        }
        qtest.sendRaw(batch.toString().getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < 1000; i++) {
            assertEquals("OK", qtest.readReply());
            assertEquals(i, Long.parseLong(qtest.readReply().substring(5), 16));
        }
    }

    @Test
    void closingTheSocketShutsTheVmDown() throws Exception {
        start(null);
        qtest.close();
        assertTrue(ctx.shutdown.await(5, TimeUnit.SECONDS));
        assertEquals("qtest socket closed", ctx.shutdownReason);
    }

    @Test
    void logRecordsRequestsAndReplies() throws Exception {
        Path log = dir.resolve("qtest.log");
        start(log.toString());
        qtest.request("endianness");
        qtest.request("bogus");
        accel.close();
        String text = Files.readString(log);
        assertTrue(text.matches("(?s)\\[I \\+0\\.\\d{6}\\] OPENED\n\\[R \\+\\d+\\.\\d{6}\\] endianness\n\\[S \\+\\d+\\.\\d{6}\\] OK little\n.*"), text);
        assertTrue(text.contains("] FAIL Unknown command 'bogus'"), text);
    }

    @Test
    void badSocketSpecsAndAbsentListenerAreClearErrors() {
        assertThrows(ConfigException.class, () -> QtestAcceleratorFactory.socketPath("tcp:localhost:4444"));
        assertThrows(ConfigException.class, () -> QtestAcceleratorFactory.socketPath("unix:"));
        assertThrows(ConfigException.class, () -> QtestAcceleratorFactory.socketPath("unix:/x,server=on"));
        assertEquals(Path.of("/tmp/x.sock"), QtestAcceleratorFactory.socketPath("/tmp/x.sock"));
        Map<String, Object> p = new HashMap<>();
        p.put("socket", "unix:" + dir.resolve("nobody.sock"));
        QtestAccelerator a = (QtestAccelerator) new QtestAcceleratorFactory().create(ctx, Properties.of(p));
        ConfigException e = assertThrows(ConfigException.class, a::start);
        assertTrue(e.getMessage().contains("must listen"), e.getMessage());
    }

    @Test
    void numbersParseLikeStrtoul() throws Exception {
        byte[][] in = {"0x10".getBytes(), "010".getBytes(), "10".getBytes(), "0".getBytes(), "-1".getBytes(),
            "0xffffffffffffffff".getBytes()};
        long[] want = {16, 8, 10, 0, -1, -1};
        for (int i = 0; i < in.length; i++) {
            assertEquals(want[i], QtestNumbers.parse(in[i], 0, in[i].length), new String(in[i]));
        }
        assertThrows(QtestNumbers.BadNumber.class, () -> QtestNumbers.parse("08".getBytes(), 0, 2));
        assertThrows(QtestNumbers.BadNumber.class, () -> QtestNumbers.parse("18446744073709551616".getBytes(), 0, 20));
        assertArrayEquals(new byte[0], new byte[0]);
    }
}
