package io.jvmm.machine.q35;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.machine.q35.pci.PciBusImpl;
import io.jvmm.machine.q35.testing.FakeHost;
import io.jvmm.machine.q35.testing.GuestCpu;
import io.jvmm.spi.config.ConfigException;
import io.jvmm.spi.config.Properties;
import io.jvmm.spi.memory.IoHandler;
import io.jvmm.spi.pci.PciBarSpec;
import io.jvmm.spi.pci.PciDevice;
import io.jvmm.spi.pci.PciIdentity;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PciePciBridgeTest {
    private static final int BRIDGE = 1 << 3;
    private final FakeHost host = new FakeHost(16 << 20, null);
    private final Q35Machine machine = (Q35Machine) Q35MachineTypes.ALL.get(0).create(host, Properties.of(Map.of()));
    private final GuestCpu cpu = new GuestCpu(host);

    private void plugBridge(String id, String bus, String addr) {
        Map<String, Object> p = new HashMap<>();
        p.put("bus", bus);
        p.put("addr", addr);
        new PciePciBridgeFactory().create(host.withDeviceId(id), Properties.of(p));
    }

    /** A device behind the bridge with one 4 KiB memory BAR and one 32-byte I/O BAR that echo a register. */
    private static final class Echo implements PciDevice, IoHandler {
        long reg;

        @Override
        public PciIdentity identity() {
            return new PciIdentity(0x1234, 0x5678, 0, 0, 1, 0xff0000, 0, 1);
        }

        @Override
        public List<PciBarSpec> bars() {
            return List.of(new PciBarSpec(0, PciBarSpec.Kind.MEMORY32, 4096, false, this),
                    new PciBarSpec(1, PciBarSpec.Kind.IO, 32, false, this));
        }

        @Override
        public long read(long offset, int size) {
            return reg;
        }

        @Override
        public void write(long offset, int size, long value) {
            reg = value;
        }
    }

    @Test
    void headerAndCapabilitiesAreQemus() {
        plugBridge("pci.1", "pcie.0", null);
        for (int i = 0; i < QemuFacts.BRIDGE.length; i++) {
            assertEquals(QemuFacts.BRIDGE[i], cpu.cfgRead(0, BRIDGE, 4 * i, 4), String.format("dword at 0x%02x", 4 * i));
        }
        cpu.cfgWrite(0, 0, 0x60, 4, 0xB000_0001L);
        for (int i = 0; i < QemuFacts.BRIDGE_AER.length; i++) {
            assertEquals(QemuFacts.BRIDGE_AER[i], cpu.read(0xB000_0000L + (BRIDGE << 12) + 0x100 + 4 * i, 4),
                    "AER dword " + i);
        }
    }

    @Test
    void writeMasksAndBarSizingAreQemus() {
        plugBridge("pci.1", "pcie.0", null);
        for (long[] m : QemuFacts.BRIDGE_WRITE_MASKS) {
            int off = (int) m[0];
            long old = cpu.cfgRead(0, BRIDGE, off, 4);
            cpu.cfgWrite(0, BRIDGE, off, 4, 0xffffffffL);
            assertEquals(m[1], cpu.cfgRead(0, BRIDGE, off, 4), String.format("read-back at 0x%02x", off));
            cpu.cfgWrite(0, BRIDGE, off, 4, old);
        }
        for (int i = 0; i < 2; i++) {
            cpu.cfgWrite(0, BRIDGE, 0x10 + 4 * i, 4, 0xffffffffL);
            assertEquals(QemuFacts.BRIDGE_BAR_MASKS[i], cpu.cfgRead(0, BRIDGE, 0x10 + 4 * i, 4), "BAR" + i);
        }
    }

    @Test
    void firstFreeSlotIsOneAsInQemuAndAddrIsHonoured() {
        plugBridge("pci.1", "pcie.0", null);
        plugBridge("pci.2", "pcie.0", "5");
        assertEquals(0x000e1b36L, cpu.cfgRead(0, BRIDGE, 0, 4));
        assertEquals(0x000e1b36L, cpu.cfgRead(0, 5 << 3, 0, 4));
        ConfigException taken = assertThrows(ConfigException.class, () -> plugBridge("pci.3", "pcie.0", "5"));
        assertTrue(taken.getMessage().contains("already in use"), taken.getMessage());
        assertThrows(ConfigException.class, () -> plugBridge("pci.4", "pcie.0", "20"));
        assertThrows(ConfigException.class, () -> plugBridge("pci.5", "pcie.0", "x"));
        assertThrows(ConfigException.class, () -> plugBridge("pci.6", "nope", null));
        ConfigException conv = assertThrows(ConfigException.class, () -> plugBridge("pci.7", "pci.1", null));
        assertTrue(conv.getMessage().contains("conventional"), conv.getMessage());
    }

    @Test
    void busNumbersRouteConfigAndWindowsGateBars() {
        plugBridge("pci.1", "pcie.0", null);
        PciBusImpl secondary = (PciBusImpl) host.buses.get("pci.1");
        Echo echo = new Echo();
        secondary.plug(echo, 3 << 3, "echo");
        // unnumbered: bus 1 is nobody's
        assertEquals(0xffffffffL, cpu.cfgRead(1, 3 << 3, 0, 4));
        cpu.cfgWrite(0, BRIDGE, 0x18, 4, 0x00010100L); // primary 0, secondary 1, subordinate 1
        assertEquals(0x56781234L, cpu.cfgRead(1, 3 << 3, 0, 4));
        assertEquals(1, secondary.number());

        // the device's BARs, decoding enabled on the device
        cpu.cfgWrite(1, 3 << 3, 0x10, 4, 0xE010_0000L);
        cpu.cfgWrite(1, 3 << 3, 0x14, 4, 0xd000);
        cpu.cfgWrite(1, 3 << 3, 4, 2, 0x3);
        cpu.write(0xE010_0000L, 4, 0x42);
        assertEquals(0, echo.reg, "bridge memory decoding off: nothing reaches the device");
        assertEquals(0xffffffffL, cpu.read(0xE010_0000L, 4));

        cpu.cfgWrite(0, BRIDGE, 4, 2, 0x3);
        cpu.write(0xE010_0000L, 4, 0x42);
        assertEquals(0, echo.reg, "the memory window after reset (0x0-0xfffff) does not cover 0xE0100000");

        cpu.cfgWrite(0, BRIDGE, 0x20, 2, 0xE010); // memory base
        cpu.cfgWrite(0, BRIDGE, 0x22, 2, 0xE010); // memory limit: 0xE0100000..0xE01FFFFF
        cpu.write(0xE010_0000L, 4, 0x42);
        assertEquals(0x42, echo.reg);
        assertEquals(0x42, cpu.read(0xE010_0000L, 4));

        cpu.out(0xd000, 4, 7);
        assertEquals(0x42, echo.reg, "I/O window still closed");
        cpu.cfgWrite(0, BRIDGE, 0x1c, 1, 0xd0);
        cpu.cfgWrite(0, BRIDGE, 0x1d, 1, 0xd0);
        cpu.out(0xd000, 4, 7);
        assertEquals(7, echo.reg);

        // moving the window away unmaps the BAR again
        cpu.cfgWrite(0, BRIDGE, 0x20, 4, 0xE030_E020L);
        cpu.write(0xE010_0000L, 4, 0x99);
        assertEquals(7, echo.reg);
    }

    @Test
    void shpcRegistersReadAsQemusThroughBarAndCapability() {
        plugBridge("pci.1", "pcie.0", null);
        cpu.cfgWrite(0, BRIDGE, 0x10, 4, 0xE000_0000L);
        cpu.cfgWrite(0, BRIDGE, 0x14, 4, 0);
        cpu.cfgWrite(0, BRIDGE, 4, 2, 0x2);
        assertEquals(0x1f, cpu.read(0xE000_0004L, 4));
        assertEquals(0xe001011fL, cpu.read(0xE000_000cL, 4));
        assertEquals(QemuFacts.SHPC_SLOT, cpu.read(0xE000_0024L, 4));
        assertEquals(QemuFacts.SHPC_SLOT, cpu.read(0xE000_009cL, 4));
        assertEquals(0, cpu.read(0xE000_00a0L, 4));
        cpu.cfgWrite(0, BRIDGE, 0x42, 1, 0x03);
        assertEquals(0xe001011fL, cpu.cfgRead(0, BRIDGE, 0x44, 4));
        assertEquals(0x01, cpu.cfgRead(0, BRIDGE, 0x45, 1));
        cpu.cfgWrite(0, BRIDGE, 0x40, 4, 0xffffffffL);
        assertEquals(0x00ff000cL, cpu.cfgRead(0, BRIDGE, 0x40, 4), "only DWORD select is writable");
    }

    @Test
    void secondaryBusResetResetsTheDevicesBehind() {
        plugBridge("pci.1", "pcie.0", null);
        PciBusImpl secondary = (PciBusImpl) host.buses.get("pci.1");
        secondary.plug(new Echo(), 0, "echo");
        cpu.cfgWrite(0, BRIDGE, 0x18, 4, 0x00010100L);
        cpu.cfgWrite(1, 0, 4, 2, 0x7);
        assertEquals(0x7, cpu.cfgRead(1, 0, 4, 2));
        cpu.cfgWrite(0, BRIDGE, 0x3e, 2, 0x40);
        assertEquals(0, cpu.cfgRead(1, 0, 4, 2));
    }
}
