package io.jvmm.plugin.virtio.net;

import static org.junit.jupiter.api.Assertions.*;

import io.jvmm.spi.config.ConfigException;
import io.jvmm.spi.config.Properties;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Properties as a user writes them, and the message each mistake gets. */
class VirtioNetConfigTest {

    private static VirtioNetConfig parse(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        m.put("netdev", "net0");
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return VirtioNetConfig.from(Properties.of(m), 0);
    }

    private static String error(Object... kv) {
        return assertThrows(ConfigException.class, () -> parse(kv)).getMessage();
    }

    @Test
    void theSeedsNicParses() {
        VirtioNetConfig c = parse("bus", "pci.1", "mq", true, "vectors", 18L, "romfile", "", "disable-legacy", "off");
        assertEquals("pci.1", c.bus());
        assertTrue(c.mq());
        assertEquals(18, c.vectors().getAsInt());
        assertTrue(c.legacyInterface());
        assertEquals(-1, c.devfn());
        assertEquals("52:54:00:12:34:56", VirtioNetConfig.formatMac(c.mac()));
        assertFalse(c.localMigration());
    }

    @Test
    void defaultsFollowQemu() {
        assertEquals("52:54:00:12:34:58", VirtioNetConfig.formatMac(VirtioNetConfig.from(Properties.of(Map.of("netdev", "n")), 2).mac()),
                "the third NIC counts up the last byte");
        assertTrue(parse().legacyInterface(), "disable-legacy=auto keeps the legacy interface");
        assertFalse(parse("disable-legacy", "on").legacyInterface());
        assertEquals(3 << 3 | 1, parse("addr", "3.1").devfn());
        assertEquals(0x1f << 3, parse("addr", "0x1f").devfn());
        assertEquals(9000, parse("host_mtu", 9000L).hostMtu().getAsInt());
    }

    @Test
    void mistakesGetMessagesThatSayWhatToDo() {
        assertTrue(error("mac", "52:54:00:12:34").contains("six hex bytes"));
        assertTrue(error("mac", "zz:54:00:12:34:56").contains("six hex bytes"));
        assertTrue(error("mac", "01:00:5e:00:00:01").contains("multicast"));
        assertTrue(error("romfile", "efi-virtio.rom").contains("romfile="));
        assertTrue(error("vectors", 5000L).contains("0..2048"));
        assertTrue(error("addr", "40").contains("out of range"));
        assertTrue(error("addr", "3.9").contains("out of range"));
        assertTrue(error("addr", "x").contains("SLOT"));
        assertTrue(error("host_mtu", 20L).contains("68..65535"));
        assertTrue(error("disable-legacy", "maybe").contains("on, off or auto"));
        String noNetdev = assertThrows(ConfigException.class, () -> VirtioNetConfig.from(Properties.of(Map.of()), 0)).getMessage();
        assertTrue(noNetdev.contains("netdev=ID"), noNetdev);
    }
}
