package io.jvmm.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jvmm.spi.config.ConfigException;
import org.junit.jupiter.api.Test;

class PropertyValuesTest {

    @Test
    void booleansInQemusSpellings() {
        for (String t : new String[] {"on", "yes", "true"}) {
            assertEquals(true, PropertyValues.parseBool(t));
        }
        for (String f : new String[] {"off", "no", "false"}) {
            assertEquals(false, PropertyValues.parseBool(f));
        }
        assertEquals("'On' is not a boolean (use on or off)",
                assertThrows(ConfigException.class, () -> PropertyValues.parseBool("On")).getMessage());
    }

    @Test
    void integersLikeStrtoll() {
        assertEquals(18, PropertyValues.parseInt("18"));
        assertEquals(0x1f, PropertyValues.parseInt("0x1F"));
        assertEquals(8, PropertyValues.parseInt("010"));
        assertEquals(-5, PropertyValues.parseInt("-5"));
        assertEquals(-1L, PropertyValues.parseInt("0xffffffffffffffff"), "uint64 range, two's complement");
        assertEquals("'0x1_0000_0000_0000_0000' is not an integer",
                assertThrows(ConfigException.class, () -> PropertyValues.parseInt("0x1_0000_0000_0000_0000")).getMessage());
        assertEquals("'0x10000000000000000' does not fit in 64 bits",
                assertThrows(ConfigException.class, () -> PropertyValues.parseInt("0x10000000000000000")).getMessage());
        assertThrows(ConfigException.class, () -> PropertyValues.parseInt("12abc"));
        assertThrows(ConfigException.class, () -> PropertyValues.parseInt(""));
    }

    @Test
    void sizesWithSuffixes() {
        assertEquals(1L << 30, PropertyValues.parseSize("1G", 1));
        assertEquals(1536L << 20, PropertyValues.parseSize("1.5G", 1));
        assertEquals(512L << 20, PropertyValues.parseSize("512", 1L << 20), "-m reads a bare number as MiB");
        assertEquals(4096, PropertyValues.parseSize("4096", 1));
        assertEquals(4096, PropertyValues.parseSize("4k", 1));
        assertEquals("'1.5' is not a whole number of bytes",
                assertThrows(ConfigException.class, () -> PropertyValues.parseSize("1.5", 1)).getMessage());
        assertEquals("'9E' is too large", assertThrows(ConfigException.class, () -> PropertyValues.parseSize("9E", 1)).getMessage());
        assertEquals("'-1G': a size cannot be negative",
                assertThrows(ConfigException.class, () -> PropertyValues.parseSize("-1G", 1)).getMessage());
        assertEquals("'1Q' has an unknown size suffix (use B, K, M, G, T, P or E)",
                assertThrows(ConfigException.class, () -> PropertyValues.parseSize("1Q", 1)).getMessage());
        assertEquals("1G", PropertyValues.formatSize(1L << 30));
        assertEquals("4097", PropertyValues.formatSize(4097));
    }
}
