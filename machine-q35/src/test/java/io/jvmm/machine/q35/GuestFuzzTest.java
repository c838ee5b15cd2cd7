package io.jvmm.machine.q35;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jvmm.machine.q35.pci.PciBusImpl;
import io.jvmm.machine.q35.testing.FakeHost;
import io.jvmm.machine.q35.testing.GuestCpu;
import io.jvmm.spi.config.Properties;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A guest is not trusted: random config, port and memory accesses of every width over the whole
 * board (bridge, secondary bus, ECAM, fw_cfg DMA, UART) must never throw out of the machine, and
 * what the guest cannot change stays as it was. Fixed seeds, so a failure reproduces.
 */
class GuestFuzzTest {
    private static final int[] WIDTHS = {1, 2, 4, 8};

    @Test
    void randomGuestAccessesNeverEscapeOrCorruptIdentity() {
        for (long seed = 1; seed <= 3; seed++) {
            FakeHost host = new FakeHost(1 << 20, "null");
            Q35Machine machine = (Q35Machine) Q35MachineTypes.ALL.get(0).create(host, Properties.of(Map.of()));
            Map<String, Object> p = new HashMap<>();
            p.put("bus", "pcie.0");
            new PciePciBridgeFactory().create(host.withDeviceId("pci.1"), Properties.of(p));
            ((PciBusImpl) host.buses.get("pci.1")).plug(ChipsetFunction.smbus(), 0, "behind");
            machine.devicesCreated();
            GuestCpu cpu = new GuestCpu(host);
            Random r = new Random(seed);
            for (int i = 0; i < 20_000; i++) {
                int w = WIDTHS[r.nextInt(WIDTHS.length)];
                switch (r.nextInt(6)) {
                    case 0 -> cpu.cfgWrite(r.nextInt(3), r.nextInt(256), r.nextInt(256) & ~(Math.min(w, 4) - 1),
                            Math.min(w, 4), r.nextLong() & 0xffff_ffffL);
                    case 1 -> cpu.cfgRead(r.nextInt(3), r.nextInt(256), r.nextInt(256) & ~(Math.min(w, 4) - 1), Math.min(w, 4));
                    case 2 -> cpu.write(0xB000_0000L + r.nextInt(1 << 22), w, r.nextLong());
                    case 3 -> cpu.read(0xE000_0000L + r.nextInt(1 << 24), w);
                    case 4 -> cpu.out(0x3f8 + r.nextInt(0x200), Math.min(w, 4), r.nextLong());
                    default -> cpu.in(0x500 + r.nextInt(0x20), Math.min(w, 4));
                }
                if (r.nextInt(500) == 0) {
                    cpu.cfgWrite(0, 0, 0x60, 4, (r.nextLong() & 0xffff_fff0L) | (r.nextBoolean() ? 1 : 0));
                }
            }
            // ids are read-only whatever the guest did
            assertEquals(0x29c08086L, cpu.cfgRead(0, 0, 0, 4), "seed " + seed);
            assertEquals(0x000e1b36L, cpu.cfgRead(0, 1 << 3, 0, 4), "seed " + seed);
            assertEquals(0x29188086L, cpu.cfgRead(0, 0xf8, 0, 4), "seed " + seed);
        }
    }
}
