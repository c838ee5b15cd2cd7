package io.jvmm.machine.q35.serial;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.machine.q35.Q35Machine;
import io.jvmm.machine.q35.Q35MachineTypes;
import io.jvmm.machine.q35.testing.FakeHost;
import io.jvmm.machine.q35.testing.GuestCpu;
import io.jvmm.machine.q35.testing.RecordingState;
import io.jvmm.spi.config.ConfigException;
import io.jvmm.spi.config.Properties;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(10)
class Serial16550Test {
    @TempDir
    Path dir;

    private static final int COM1 = 0x3f8;

    private Q35Machine machine(FakeHost host) {
        Q35Machine m = (Q35Machine) Q35MachineTypes.ALL.get(0).create(host, Properties.of(Map.of()));
        m.devicesCreated();
        return m;
    }

    @Test
    void noSerialUnlessConfigured() {
        FakeHost host = new FakeHost(1 << 20, null);
        machine(host);
        assertEquals(0xff, new GuestCpu(host).in(COM1 + 5, 1), "no UART: unassigned, as QEMU with -nodefaults");
    }

    @Test
    void transmittedBytesLandInTheFileBackend() throws Exception {
        Path out = dir.resolve("serial.log");
        FakeHost host = new FakeHost(1 << 20, "file:" + out);
        Q35Machine m = machine(host);
        GuestCpu cpu = new GuestCpu(host);
        assertEquals(0x60, cpu.in(COM1 + 5, 1), "THR empty and transmitter empty after reset");
        for (byte b : "hello\n".getBytes()) {
            cpu.out(COM1, 1, b);
        }
        m.close();
        assertEquals("hello\n", Files.readString(out));
    }

    @Test
    void interruptsFollowIerAndIir() {
        FakeHost host = new FakeHost(1 << 20, "null");
        machine(host);
        GuestCpu cpu = new GuestCpu(host);
        assertEquals(0x01, cpu.in(COM1 + 2, 1), "IIR: no interrupt");
        cpu.out(COM1 + 1, 1, 0x02); // THRI: the empty transmitter raises it at once
        assertEquals(Boolean.TRUE, host.gsiLevels.get(4));
        assertEquals(0x02, cpu.in(COM1 + 2, 1));
        assertEquals(Boolean.FALSE, host.gsiLevels.get(4), "reading IIR acknowledges THRI");
        cpu.out(COM1 + 2, 1, 0x01); // FIFO on
        assertEquals(0xc1, cpu.in(COM1 + 2, 1));

        // loopback: a byte written comes back as received data with an RDI interrupt
        cpu.out(COM1 + 1, 1, 0x01);
        cpu.out(COM1 + 4, 1, 0x10);
        cpu.out(COM1, 1, 'x');
        assertEquals(0x01, cpu.in(COM1 + 5, 1) & 0x01, "data ready");
        assertEquals(0xc4, cpu.in(COM1 + 2, 1));
        assertEquals('x', cpu.in(COM1, 1));
        assertEquals(Boolean.FALSE, host.gsiLevels.get(4));

        // divisor latch
        cpu.out(COM1 + 3, 1, 0x80);
        cpu.out(COM1, 1, 0x01);
        cpu.out(COM1 + 1, 1, 0x00);
        assertEquals(0x01, cpu.in(COM1, 1));
        cpu.out(COM1 + 3, 1, 0x03);
        assertEquals(0x03, cpu.in(COM1 + 3, 1));
    }

    @Test
    void unixServerBackendCarriesBothDirectionsWithoutLoss() throws Exception {
        Path sock = dir.resolve("serial.sock");
        FakeHost host = new FakeHost(1 << 20, "unix:" + sock + ",server=on,wait=off");
        Q35Machine m = machine(host);
        GuestCpu cpu = new GuestCpu(host);
        try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(sock))) {
            byte[] input = new byte[64]; // more than the FIFO holds: the reader must wait, not drop
            for (int i = 0; i < input.length; i++) {
                input[i] = (byte) ('A' + i % 26);
            }
            client.write(ByteBuffer.wrap(input));
            cpu.out(COM1 + 2, 1, 0x01);
            StringBuilder got = new StringBuilder();
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (got.length() < input.length && System.nanoTime() < deadline) {
                if ((cpu.in(COM1 + 5, 1) & 1) != 0) {
                    got.append((char) cpu.in(COM1, 1));
                } else {
                    Thread.onSpinWait();
                }
            }
            assertEquals(new String(input), got.toString());
            // output reaches the connected client
            long until = System.nanoTime() + 2_000_000_000L;
            while (System.nanoTime() < until) {
                cpu.out(COM1, 1, 'z');
                client.configureBlocking(false);
                ByteBuffer b = ByteBuffer.allocate(16);
                if (client.read(b) > 0) {
                    assertEquals('z', b.get(0));
                    break;
                }
                Thread.sleep(10);
            }
        } finally {
            m.close();
        }
    }

    @Test
    void badSpecsAreClearErrors() {
        assertTrue(assertThrows(ConfigException.class, () -> CharBackends.open("tcp:1")).getMessage().contains("stdio, null"));
        assertThrows(ConfigException.class, () -> CharBackends.open("file:"));
        assertThrows(ConfigException.class, () -> CharBackends.open("unix:" + dir.resolve("nobody.sock")));
        assertThrows(ConfigException.class, () -> CharBackends.open("unix:/x,colour=red"));
        assertThrows(ConfigException.class, () -> CharBackends.open("file:" + dir.resolve("no/such/dir/f")));
    }

    @Test
    void stateRoundTripsRegistersAndFifo() throws Exception {
        FakeHost host = new FakeHost(1 << 20, "null");
        Serial16550 a = new Serial16550(CharBackends.open("null"), host.interrupts().gsi(4));
        a.write(2, 1, 0x01);
        a.write(3, 1, 0x03);
        a.write(1, 1, 0x01);
        a.receive('q');
        a.receive('r');
        RecordingState s = RecordingState.save(a.vmstate());
        Serial16550 b = new Serial16550(CharBackends.open("null"), host.interrupts().gsi(5));
        s.loadInto(b.vmstate());
        assertEquals(0x03, b.read(3, 1));
        assertTrue(b.interruptPending());
        assertEquals('q', b.read(0, 1));
        assertEquals('r', b.read(0, 1));
        assertFalse(b.interruptPending());
    }
}
