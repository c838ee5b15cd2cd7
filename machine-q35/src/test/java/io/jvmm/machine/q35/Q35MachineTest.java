package io.jvmm.machine.q35;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.machine.q35.testing.FakeHost;
import io.jvmm.machine.q35.testing.GuestCpu;
import io.jvmm.spi.config.ConfigException;
import io.jvmm.spi.config.Properties;
import java.util.Map;
import org.junit.jupiter.api.Test;

class Q35MachineTest {
    private final FakeHost host = new FakeHost(16 << 20, null);
    private final Q35Machine machine = (Q35Machine) Q35MachineTypes.ALL.get(0).create(host, Properties.of(Map.of()));
    private final GuestCpu cpu = new GuestCpu(host);

    private void assertConfig(int bus, int devfn, long[] expected) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], cpu.cfgRead(bus, devfn, 4 * i, 4),
                    String.format("%02x.%x dword at 0x%02x", devfn >> 3, devfn & 7, 4 * i));
        }
    }

    @Test
    void builtInFunctionsShowQemusConfigHeaders() {
        assertConfig(0, 0, QemuFacts.MCH);
        assertConfig(0, Q35Machine.LPC_DEVFN, QemuFacts.LPC);
        assertConfig(0, Q35Machine.AHCI_DEVFN, QemuFacts.AHCI);
        assertConfig(0, Q35Machine.SMBUS_DEVFN, QemuFacts.SMBUS);
    }

    @Test
    void emptySlotsReadAllOnesAndByteWordLanesWork() {
        assertEquals(0xffffffffL, cpu.cfgRead(0, 8, 0, 4));
        assertEquals(0xffffffffL, cpu.cfgRead(3, 0, 0, 4), "a bus nobody bridges to");
        assertEquals(0x8086, cpu.cfgRead(0, 0, 0, 2));
        assertEquals(0x29c0, cpu.cfgRead(0, 0, 2, 2));
        assertEquals(0x29, cpu.cfgRead(0, 0, 3, 1));
        assertEquals(0x06, cpu.cfgRead(0, 0, 0x0b, 1));
        // CONFIG_ADDRESS reads back; without the enable bit data reads all-ones
        cpu.out(0xcf8, 4, 0x8000_0010L);
        assertEquals(0x8000_0010L, cpu.in(0xcf8, 4));
        cpu.out(0xcf8, 4, 0);
        assertEquals(0xffffffffL, cpu.in(0xcfc, 4));
    }

    @Test
    void barSizingOfTheHeaderOnlyFunctionsMatchesQemu() {
        for (int i = 0; i < 6; i++) {
            int off = 0x10 + 4 * i;
            cpu.cfgWrite(0, Q35Machine.AHCI_DEVFN, off, 4, 0xffffffffL);
            assertEquals(QemuFacts.AHCI_BAR_MASKS[i], cpu.cfgRead(0, Q35Machine.AHCI_DEVFN, off, 4), "AHCI BAR" + i);
            cpu.cfgWrite(0, Q35Machine.SMBUS_DEVFN, off, 4, 0xffffffffL);
            assertEquals(QemuFacts.SMBUS_BAR_MASKS[i], cpu.cfgRead(0, Q35Machine.SMBUS_DEVFN, off, 4), "SMBus BAR" + i);
        }
    }

    @Test
    void commandRegisterAndChipsetRegistersHaveQemusWriteMasks() {
        cpu.cfgWrite(0, 0, 4, 2, 0xffff);
        assertEquals(0x0507, cpu.cfgRead(0, 0, 4, 2));
        cpu.cfgWrite(0, 0, 0x50, 4, 0xffffffffL);
        assertEquals(0xffff0010L, cpu.cfgRead(0, 0, 0x50, 4), "GGC read-only, the next word writable");
        cpu.cfgWrite(0, 0, 0x9c, 4, 0xffffffffL);
        assertEquals(0xffbf3a01L, cpu.cfgRead(0, 0, 0x9c, 4), "SMRAM/ESMRAMC masks");
        cpu.cfgWrite(0, Q35Machine.LPC_DEVFN, 0x40, 4, 0xffffffffL);
        assertEquals(0x0000ff87L, cpu.cfgRead(0, Q35Machine.LPC_DEVFN, 0x40, 4), "PMBASE");
        cpu.cfgWrite(0, Q35Machine.AHCI_DEVFN, 0x80, 4, 0xffffffffL);
        assertEquals(0x0081a805L, cpu.cfgRead(0, Q35Machine.AHCI_DEVFN, 0x80, 4), "MSI enable only");
        cpu.cfgWrite(0, Q35Machine.SMBUS_DEVFN, 0x40, 4, 0xffffffffL);
        assertEquals(0xfffffff7L, cpu.cfgRead(0, Q35Machine.SMBUS_DEVFN, 0x40, 4));
    }

    @Test
    void ecamAppearsWhenPciexbarIsEnabledAndReachesExtendedSpace() {
        assertFalse(machine.ecamEnabled(), "QEMU leaves PCIEXBAR disabled until firmware sets it");
        assertEquals(0xffffffffL, cpu.read(0xB000_0000L, 4));
        cpu.cfgWrite(0, 0, 0x60, 4, 0xB000_0001L);
        assertTrue(machine.ecamEnabled());
        assertEquals(0x29c08086L, cpu.read(0xB000_0000L, 4));
        assertEquals(0x8086, cpu.read(0xB000_0000L + (0xf8 << 12), 2));
        assertEquals(0xffffffffL, cpu.read(0xB000_0100L, 4), "MCH is conventional: no extended space");
        assertEquals(0x29c08086L, cpu.read(0xB000_0000L, 8), "a 64-bit read is two dword config reads");
        // moving and disabling the window
        cpu.cfgWrite(0, 0, 0x60, 4, 0xC000_0001L);
        assertEquals(0xffffffffL, cpu.read(0xB000_0000L, 4));
        assertEquals(0x29c08086L, cpu.read(0xC000_0000L, 4));
        cpu.cfgWrite(0, 0, 0x60, 4, 0xC000_0000L);
        assertEquals(0xffffffffL, cpu.read(0xC000_0000L, 4));
        // an ECAM write reaches config space like a port write
        cpu.cfgWrite(0, 0, 0x60, 4, 0xB000_0001L);
        cpu.write(0xB000_0000L + 0x52, 2, 0xabcd);
        assertEquals(0xabcd, cpu.cfgRead(0, 0, 0x52, 2));
    }

    @Test
    void migratedMchStatePlacesEcamOnTheTarget() {
        cpu.cfgWrite(0, 0, 0x60, 4, 0xC000_0001L);
        io.jvmm.machine.q35.testing.RecordingState saved =
                io.jvmm.machine.q35.testing.RecordingState.save(host.states.get("pci/pcie.0/00.0").vmstate());
        FakeHost target = new FakeHost(16 << 20, null);
        Q35Machine m2 = (Q35Machine) Q35MachineTypes.ALL.get(0).create(target, Properties.of(Map.of()));
        saved.loadInto(target.states.get("pci/pcie.0/00.0").vmstate());
        assertTrue(m2.ecamEnabled());
        assertEquals(0x29c08086L, new GuestCpu(target).read(0xC000_0000L, 4));
    }

    @Test
    void resetRestoresPowerOnState() {
        cpu.cfgWrite(0, 0, 0x60, 4, 0xB000_0001L);
        cpu.cfgWrite(0, 0, 4, 2, 0x7);
        machine.reset();
        assertFalse(machine.ecamEnabled());
        assertEquals(0, cpu.cfgRead(0, 0, 4, 2));
        assertEquals(0xB000_0000L, cpu.cfgRead(0, 0, 0x60, 4));
    }

    @Test
    void biosImageIsReadOnlyMemoryEndingAt4GiB(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        byte[] image = new byte[65536];
        image[65536 - 16] = (byte) 0xfa;
        image[65536 - 15] = (byte) 0xf4;
        image[65536 - 14] = (byte) 0xeb;
        image[65536 - 13] = (byte) 0xfd;
        java.nio.file.Path file = java.nio.file.Files.write(dir.resolve("halt.bin"), image);
        FakeHost h = new FakeHost(1 << 20, null);
        h.bios = file.toString();
        Q35MachineTypes.ALL.get(0).create(h, Properties.of(Map.of()));
        GuestCpu c = new GuestCpu(h);
        assertEquals(0x00000000fdebf4faL, c.read(0xffff_fff0L, 8), "the reset vector, as QEMU shows it");
        c.write(0xffff_fff0L, 4, 0);
        assertEquals(0xfdebf4faL, c.read(0xffff_fff0L, 4), "ROM ignores writes");
        FakeHost bad = new FakeHost(1 << 20, null);
        bad.bios = java.nio.file.Files.write(dir.resolve("odd.bin"), new byte[1000]).toString();
        ConfigException e = assertThrows(ConfigException.class,
                () -> Q35MachineTypes.ALL.get(0).create(bad, Properties.of(Map.of())));
        assertTrue(e.getMessage().contains("64 KiB"), e.getMessage());
    }

    @Test
    void machineTypesAreVersionedWithAliasAndCompat() {
        Q35MachineType newest = Q35MachineTypes.ALL.get(0);
        assertEquals("pc-q35-7.2", newest.name());
        assertEquals(java.util.List.of("q35"), newest.aliases());
        Q35MachineType older = Q35MachineTypes.ALL.get(1);
        assertEquals("pc-q35-7.1", older.name());
        assertTrue(older.aliases().isEmpty());
        assertEquals("off", older.compatProperties().get("virtio-net-pci").get("local-migration"));
        assertEquals(Map.of(), newest.compatProperties());
    }

    @Test
    void rootBusIsRegisteredAndDefault() {
        assertTrue(host.buses.containsKey("pcie.0"));
        assertTrue(host.buses.get("pcie.0").isExpress());
        assertEquals("pcie.0", machine.defaultBus().orElseThrow());
        assertThrows(ConfigException.class, () -> machine.rootBus().plug(ChipsetFunction.smbus(), 0));
    }
}
