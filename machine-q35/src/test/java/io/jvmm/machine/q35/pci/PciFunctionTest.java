package io.jvmm.machine.q35.pci;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.machine.q35.testing.FakeHost;
import io.jvmm.machine.q35.testing.GuestCpu;
import io.jvmm.machine.q35.testing.RecordingState;
import io.jvmm.spi.config.ConfigException;
import io.jvmm.spi.memory.IoHandler;
import io.jvmm.spi.pci.MsixSpec;
import io.jvmm.spi.pci.PciBarSpec;
import io.jvmm.spi.pci.PciCapabilitySpec;
import io.jvmm.spi.pci.PciDevice;
import io.jvmm.spi.pci.PciFunction;
import io.jvmm.spi.pci.PciIdentity;
import io.jvmm.spi.vmstate.VmStateException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The PCI SPI contract as a device plugin relies on it (virtio-net-pci is built on exactly this):
 * BARs of every kind, capability placement, MSI-X, INTx, bus master, state.
 */
class PciFunctionTest {
    private final FakeHost host = new FakeHost(1 << 20, null);
    private final PciBusImpl root = PciBusImpl.root("pcie.0", PciPlatform.of(host));
    private final GuestCpu cpu;
    private static final int DEVFN = 4 << 3;

    PciFunctionTest() {
        new PciHostForTest(root, host);
        cpu = new GuestCpu(host);
    }

    /** Maps 0xcf8/0xcfc for this bare bus (the machine does it in production). */
    private static final class PciHostForTest {
        PciHostForTest(PciBusImpl root, FakeHost host) {
            PciConfigRouter r = new PciConfigRouter(root);
            int[] addr = new int[1];
            host.io.map("cf8", 0xcf8, 4, new IoHandler() {
                @Override
                public long read(long o, int s) {
                    return addr[0] & 0xffff_ffffL;
                }

                @Override
                public void write(long o, int s, long v) {
                    addr[0] = (int) v;
                }
            });
            host.io.map("cfc", 0xcfc, 4, new IoHandler() {
                @Override
                public long read(long o, int s) {
                    return r.read((addr[0] >> 16) & 0xff, (addr[0] >> 8) & 0xff, (addr[0] & 0xfc) + (int) o, s);
                }

                @Override
                public void write(long o, int s, long v) {
                    r.write((addr[0] >> 16) & 0xff, (addr[0] >> 8) & 0xff, (addr[0] & 0xfc) + (int) o, s, v);
                }
            });
        }
    }

    /** A device like virtio-net-pci: I/O BAR0, MSI-X in an exclusive BAR1, 64-bit BAR4, vendor caps. */
    static class TestDevice implements PciDevice {
        final List<String> accesses = new ArrayList<>();
        final List<Boolean> busMaster = new ArrayList<>();
        final List<String> configWrites = new ArrayList<>();
        PciFunction function;
        int resets;

        final IoHandler regs = new IoHandler() {
            @Override
            public long read(long offset, int size) {
                accesses.add("r" + size + "@" + offset);
                return 0x1000 + offset;
            }

            @Override
            public void write(long offset, int size, long value) {
                accesses.add("w" + size + "@" + offset + "=" + Long.toHexString(value));
            }
        };

        @Override
        public PciIdentity identity() {
            return new PciIdentity(0x1af4, 0x1000, 0x1af4, 0x0001, 0, 0x020000, 0, 1);
        }

        @Override
        public List<PciBarSpec> bars() {
            return List.of(new PciBarSpec(0, PciBarSpec.Kind.IO, 32, false, regs),
                    new PciBarSpec(4, PciBarSpec.Kind.MEMORY64, 16384, true, regs));
        }

        @Override
        public List<PciCapabilitySpec> capabilities() {
            byte[] body = new byte[14];
            body[0] = 16; // cap_len
            byte[] mask = new byte[14];
            mask[13] = (byte) 0xff;
            return List.of(new PciCapabilitySpec(0x09, 0x84, body, null),
                    new PciCapabilitySpec(0x09, 0x70, body, null),
                    new PciCapabilitySpec(0x09, 0, body, mask));
        }

        @Override
        public Optional<MsixSpec> msix() {
            return Optional.of(new MsixSpec(3, 1, 0, 1, 0x800, 0x98));
        }

        @Override
        public void realized(PciFunction f) {
            function = f;
        }

        @Override
        public void configWritten(int offset, int size, long value) {
            configWrites.add(offset + "/" + size);
        }

        @Override
        public void busMasterChanged(boolean enabled) {
            busMaster.add(enabled);
        }

        @Override
        public void reset() {
            resets++;
        }
    }

    private TestDevice plug() {
        TestDevice d = new TestDevice();
        root.plug(d, DEVFN, "nic");
        return d;
    }

    private long cfg(int off, int size) {
        return cpu.cfgRead(0, DEVFN, off, size);
    }

    private void setCfg(int off, int size, long v) {
        cpu.cfgWrite(0, DEVFN, off, size, v);
    }

    @Test
    void headerCarriesTheIdentity() {
        plug();
        assertEquals(0x10001af4L, cfg(0, 4));
        assertEquals(0x020000, cfg(9, 4) & 0xffffff);
        assertEquals(0x00011af4L, cfg(0x2c, 4));
        assertEquals(1, cfg(0x3d, 1));
        assertEquals(0x10, cfg(6, 2) & 0x10, "capability list bit");
    }

    @Test
    void barsSizeDecodeAndFollowTheCommandRegister() {
        TestDevice d = plug();
        setCfg(0x10, 4, 0xffffffffL);
        assertEquals(0xffffffe1L, cfg(0x10, 4), "32-byte I/O BAR");
        setCfg(0x14, 4, 0xffffffffL);
        assertEquals(0xfffff000L, cfg(0x14, 4), "exclusive MSI-X BAR: 4 KiB memory, 32-bit");
        setCfg(0x20, 4, 0xffffffffL);
        setCfg(0x24, 4, 0xffffffffL);
        assertEquals(0xffffc00cL, cfg(0x20, 4), "64-bit prefetchable 16 KiB");
        assertEquals(0xffffffffL, cfg(0x24, 4));
        assertEquals(0, cfg(0x18, 4), "absent BAR reads 0");

        setCfg(0x10, 4, 0xc040);
        setCfg(0x20, 4, 0xE000_0000L);
        setCfg(0x24, 4, 0x1);
        assertEquals(-1, d.function.barAddress(0), "decoding is off until the command register says so");
        cpu.in(0xc040, 2);
        assertTrue(d.accesses.isEmpty());

        setCfg(4, 2, 0x3);
        assertEquals(0xc040, d.function.barAddress(0));
        assertEquals(0x1_E000_0000L, d.function.barAddress(4));
        assertEquals(0x1000 + 4, cpu.in(0xc044, 2));
        cpu.write(0x1_E000_0010L, 2, 0xbeef);
        assertEquals(List.of("r2@4", "w2@16=beef"), d.accesses, "each access reaches the device once, at its width");

        setCfg(0x10, 4, 0xc080); // moved
        cpu.in(0xc044, 1);
        cpu.in(0xc084, 1);
        assertEquals("r1@4", d.accesses.get(d.accesses.size() - 1));
        assertEquals(3, d.accesses.size());

        setCfg(4, 2, 0x1); // memory off, I/O on
        assertEquals(-1, d.function.barAddress(4));
        assertEquals(0xffffffffL, cpu.read(0x1_E000_0010L, 4));
    }

    @Test
    void a64BitBarBeyondTheAddressSpaceDecodesNothingAndHurtsNothing() {
        TestDevice d = plug();
        setCfg(0x20, 4, 0x0000_0000L);
        setCfg(0x24, 4, 0xffff_0000L); // 0xffff000000000000: beyond any address space
        setCfg(4, 2, 0x2);
        assertEquals(-1, d.function.barAddress(4));
        setCfg(0x24, 4, 0x1); // back in range: decodes
        assertEquals(0x1_0000_0000L, d.function.barAddress(4));
        cpu.write(0x1_0000_0010L, 2, 0x1234);
        assertEquals("w2@16=1234", d.accesses.get(d.accesses.size() - 1));
    }

    @Test
    void capabilityChainHasMsixFirstThenTheDeviceOrder() {
        plug();
        assertEquals(0x98, cfg(0x34, 1));
        List<String> chain = new ArrayList<>();
        for (int p = (int) cfg(0x34, 1); p != 0; p = (int) cfg(p + 1, 1)) {
            chain.add(Integer.toHexString((int) cfg(p, 1)) + "@" + Integer.toHexString(p));
        }
        assertEquals(List.of("11@98", "9@84", "9@70", "9@a4"), chain, "the auto-placed one goes after the last");
        assertEquals(2, cfg(0x9a, 2) & 0x7ff, "table size N-1");
        assertEquals(0x1, cfg(0x9c, 4), "table in BAR1 at 0");
        assertEquals(0x801, cfg(0xa0, 4), "PBA in BAR1 at 0x800");
        setCfg(0x84, 4, 0xffffffffL);
        assertEquals(0x00107009L & 0xffff, cfg(0x84, 4) & 0xffff, "id and next are read-only");
        setCfg(0xb3, 1, 0xff);
        assertEquals(0xff, cfg(0xb3, 1), "the last body byte of the third cap (0xa4 + 2 + 13) is writable");
        setCfg(0xaf, 1, 0xff);
        assertEquals(0, cfg(0xaf, 1), "body bytes without mask are read-only");
        setCfg(0xc0, 4, 0x12345678);
        assertEquals(0x12345678, cfg(0xc0, 4), "device-specific space outside caps is writable, as in QEMU");
    }

    @Test
    void deviceSideReadsSeeStoredBytesNotTheDevicesOwnHook() {
        List<String> hookCalls = new ArrayList<>();
        TestDevice d = new TestDevice() {
            @Override
            public java.util.OptionalLong configRead(int offset, int size) {
                hookCalls.add(Integer.toHexString(offset));
                // like virtio's PCI cfg window: computes its answer from other config bytes
                return offset == 0xc0 ? java.util.OptionalLong.of(function.configRead(0xc4, 4) + 1)
                        : java.util.OptionalLong.empty();
            }

            @Override
            public void configWritten(int offset, int size, long value) {
                super.configWritten(offset, size, value);
                if (offset == 0xc0) {
                    configWrites.add("stored " + Long.toHexString(function.configRead(0xc0, 4)));
                }
            }
        };
        root.plug(d, DEVFN, "hooked");
        setCfg(0xc4, 4, 0x41);
        assertEquals(0x42, cfg(0xc0, 4), "the guest sees the hook's answer");
        setCfg(0xc0, 4, 0x99);
        assertTrue(d.configWrites.contains("stored 99"), "configWritten sees what the guest wrote: " + d.configWrites);
        assertThrows(IllegalArgumentException.class, () -> d.function.configRead(0x100, 4));
    }

    @Test
    void overlappingOrMisplacedCapabilitiesAreRejected() {
        PciDevice bad = new TestDevice() {
            @Override
            public List<PciCapabilitySpec> capabilities() {
                return List.of(new PciCapabilitySpec(0x09, 0x96, new byte[10], null));
            }
        };
        ConfigException e = assertThrows(ConfigException.class, () -> root.plug(bad, 8, "bad"));
        assertTrue(e.getMessage().contains("overlaps") || e.getMessage().contains("aligned"), e.getMessage());
    }

    private long tableAddr() {
        setCfg(0x14, 4, 0xE000_0000L);
        setCfg(4, 2, 0x6); // memory + bus master
        return 0xE000_0000L;
    }

    @Test
    void msixDeliversProgrammedMessagesOnlyWhenEnabledUnmaskedAndBusMaster() {
        TestDevice d = plug();
        long t = tableAddr();
        assertEquals(1, cpu.read(t + 12, 4), "vectors come out of reset masked");
        cpu.write(t + 16, 4, 0x2000);
        cpu.write(t + 20, 4, 0);
        cpu.write(t + 24, 4, 0xabcd);
        cpu.write(t + 28, 4, 0);
        d.function.msixNotify(1);
        assertTrue(host.msis.isEmpty(), "MSI-X not enabled yet");
        assertTrue(d.function.msixMasked(1), "disabled MSI-X counts as masked, as QEMU's msix_is_masked");
        assertEquals(2, cpu.read(t + 0x800, 4) & 2, "so the signal is pending");
        setCfg(0x9a, 2, 0x8000);
        assertTrue(d.function.msixEnabled());
        assertEquals(1, host.msis.size(), "enabling releases the pending message");
        assertEquals(0, cpu.read(t + 0x800, 4) & 2);
        host.msis.clear();
        d.function.msixNotify(1);
        assertEquals(1, host.msis.size());
        assertArrayEquals(new long[] {0x2000, 0xabcd}, host.msis.get(0));
        assertEquals(0xabcd, host.ram.readU32(0x2000), "the message is a 32-bit write of the data to the address");

        d.function.msixNotify(0); // masked vector 0: pending
        assertEquals(1, host.msis.size());
        assertEquals(1, cpu.read(t + 0x800, 8) & 1, "PBA bit 0");
        cpu.write(t, 4, 0x3000);
        cpu.write(t + 8, 4, 0x77);
        cpu.write(t + 12, 4, 0); // unmask: the pending message goes out
        assertEquals(2, host.msis.size());
        assertArrayEquals(new long[] {0x3000, 0x77}, host.msis.get(1));
        assertEquals(0, cpu.read(t + 0x800, 8) & 1);

        setCfg(0x9a, 2, 0xc000); // function mask
        assertTrue(d.function.msixMasked(1));
        d.function.msixNotify(1);
        assertEquals(2, host.msis.size());
        assertEquals(2, cpu.read(t + 0x800, 4) & 2);
        setCfg(0x9a, 2, 0x8000);
        assertEquals(3, host.msis.size(), "function unmask releases pending vectors");

        d.function.msixNotify(7); // out of range: ignored
        d.function.msixNotify(-1);
        assertEquals(3, host.msis.size());

        setCfg(4, 2, 0x2); // bus master off: the write never happens
        d.function.msixNotify(1);
        assertEquals(3, host.msis.size());
        assertEquals(List.of(true, false), d.busMaster);
    }

    @Test
    void msixTableAccessesBeyondTheTableGoToTheUnassignedRestOfTheBar() {
        plug();
        long t = tableAddr();
        assertEquals(0xffffffffL, cpu.read(t + 0x400, 4));
        cpu.write(t + 13, 1, 0xff);
        assertEquals(0, cpu.read(t + 12, 4) & ~1L, "reserved vector-control bits stay 0");
        cpu.write(t + 0x800, 4, 0xffffffffL);
        assertEquals(0, cpu.read(t + 0x800, 4), "the PBA is read-only");
    }

    @Test
    void intxFollowsLevelAndDisableBit() {
        TestDevice d = plug();
        int gsi = root.function(DEVFN).orElseThrow().intxGsi();
        assertEquals(16 + 4 + (4 + 0) % 4, gsi, "slot 4 INTA -> PIRQ E -> GSI 20, as QEMU's ICH9 default");
        d.function.setIntx(true);
        assertEquals(Boolean.TRUE, host.gsiLevels.get(gsi));
        assertEquals(0x08, cfg(6, 2) & 0x08, "interrupt status");
        setCfg(4, 2, 0x400);
        assertEquals(Boolean.FALSE, host.gsiLevels.get(gsi), "INTx disable masks the line");
        assertEquals(0x08, cfg(6, 2) & 0x08, "but the status still shows the device's level");
        setCfg(4, 2, 0);
        assertEquals(Boolean.TRUE, host.gsiLevels.get(gsi));
        d.function.setIntx(false);
        assertEquals(Boolean.FALSE, host.gsiLevels.get(gsi));
    }

    @Test
    void sharedLineStaysHighWhileAnyDeviceAssertsIt() {
        TestDevice a = new TestDevice();
        TestDevice b = new TestDevice();
        root.plug(a, 0, "a"); // slot 0, INTA -> PIRQ E
        root.plug(b, 4 << 3, "b"); // slot 4, INTA -> PIRQ E as well
        a.function.setIntx(true);
        b.function.setIntx(true);
        a.function.setIntx(false);
        assertEquals(Boolean.TRUE, host.gsiLevels.get(20));
        b.function.setIntx(false);
        assertEquals(Boolean.FALSE, host.gsiLevels.get(20));
    }

    @Test
    void rootBusRoutingIsTheIch9Default() {
        assertEquals(4, PciBusImpl.rootPirq(0, 0));
        assertEquals(7, PciBusImpl.rootPirq(1, 2));
        assertEquals(5, PciBusImpl.rootPirq(24, 1));
        assertEquals(0, PciBusImpl.rootPirq(31, 0), "the ICH9 functions at 1f.x: D31IR 0x3210");
        assertEquals(3, PciBusImpl.rootPirq(25, 3));
        assertEquals(6, PciBusImpl.rootPirq(30, 2));
    }

    @Test
    void behindABridgePinsAreSwizzledOntoTheBridgesPin() {
        TestDevice bridgeDev = new TestDevice() {
            @Override
            public PciIdentity identity() {
                return new PciIdentity(0x1b36, 0x000e, 0, 0, 0, 0x060400, 1, 1);
            }

            @Override
            public List<PciBarSpec> bars() {
                return List.of();
            }

            @Override
            public Optional<MsixSpec> msix() {
                return Optional.empty();
            }
        };
        PciFunctionImpl bridge = root.plug(bridgeDev, 1 << 3, "br");
        PciBusImpl sec = PciBusImpl.secondary("pci.1", false, bridge);
        TestDevice d = new TestDevice();
        sec.plug(d, 2 << 3, "d"); // slot 2 INTA -> bridge pin INTC -> root slot 1: (1 + 2) % 4 + 4 = 7
        assertEquals(16 + 7, sec.function(2 << 3).orElseThrow().intxGsi());
        d.function.setIntx(true);
        assertEquals(Boolean.TRUE, host.gsiLevels.get(23));
    }

    @Test
    void stateRoundTripsConfigMappingsAndMsix() {
        TestDevice d = plug();
        long t = tableAddr();
        setCfg(0x10, 4, 0xc040);
        setCfg(4, 2, 0x7);
        setCfg(0x9a, 2, 0x8000);
        cpu.write(t + 16, 4, 0x2000);
        cpu.write(t + 24, 4, 0x55);
        d.function.msixNotify(1); // still masked: pending
        PciFunctionImpl f = root.function(DEVFN).orElseThrow();
        RecordingState saved = RecordingState.save(f.vmstate());

        FakeHost host2 = new FakeHost(1 << 20, null);
        PciBusImpl root2 = PciBusImpl.root("pcie.0", PciPlatform.of(host2));
        TestDevice d2 = new TestDevice();
        root2.plug(d2, DEVFN, "nic");
        PciFunctionImpl f2 = root2.function(DEVFN).orElseThrow();
        saved.loadInto(f2.vmstate());
        assertEquals(0xc040, f2.barAddress(0), "mappings are re-derived from the loaded config");
        assertEquals(t, f2.barAddress(1));
        assertTrue(f2.busMasterEnabled());
        assertEquals(List.of(true), d2.busMaster);
        assertTrue(f2.msixEnabled());
        assertTrue(f2.msix().orElseThrow().pending(1));
        host2.system.write(t + 28, 4, 0); // unmask on the target: delivered there
        assertArrayEquals(new long[] {0x2000, 0x55}, host2.msis.get(0));
        assertEquals(0x1000 + 4, host2.io.read(0xc044, 2), "the I/O BAR decodes on the target");
        assertTrue(host.states.containsKey("pci/pcie.0/04.0"));
    }

    @Test
    void stateFromAnotherDeviceIsRefused() {
        plug();
        PciFunctionImpl f = root.function(DEVFN).orElseThrow();
        RecordingState saved = RecordingState.save(f.vmstate());
        byte[] config = f.config().snapshot();
        config[2] = 0x41; // device id 0x1041
        saved.tamper("config", config);
        VmStateException e = assertThrows(VmStateException.class, () -> saved.loadInto(f.vmstate()));
        assertTrue(e.getMessage().contains("1af4:1041"), e.getMessage());
    }

    @Test
    void resetReturnsToPowerOn() {
        TestDevice d = plug();
        tableAddr();
        setCfg(0x9a, 2, 0x8000);
        root.reset();
        assertEquals(0, cfg(4, 2));
        assertEquals(0, cfg(0x14, 4));
        assertFalse(d.function.msixEnabled());
        assertEquals(1, d.resets);
        assertEquals(List.of(true, false), d.busMaster);
    }
}
