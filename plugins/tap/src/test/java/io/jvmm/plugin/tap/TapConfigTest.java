package io.jvmm.plugin.tap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.spi.config.ConfigException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Option validation: every refusal names the option and says what to do. No tap needed. */
class TapConfigTest {

    private static TapConfig parse(boolean incoming, Object... kv) {
        return TapConfig.parse("net0", TapProps.of(kv), incoming);
    }

    private static String refused(boolean incoming, Object... kv) {
        return assertThrows(ConfigException.class, () -> parse(incoming, kv)).getMessage();
    }

    @Test
    void defaultsAreQemus() {
        TapConfig c = parse(false);
        assertEquals(TapConfig.Mode.OPEN, c.mode());
        assertEquals("tap%d", c.ifname());
        assertEquals(1, c.queues());
        assertEquals(TapConfig.VnetHeader.AUTO, c.vnetHeader());
        assertEquals(Optional.of(Path.of("/etc/jvmm-ifup")), c.script());
        assertEquals(Optional.of(Path.of("/etc/jvmm-ifdown")), c.downscript());
        assertEquals(Integer.MAX_VALUE, c.sndbuf());
    }

    @Test
    void scriptNoSkipsAndSndbufZeroIsUnlimited() {
        TapConfig c = parse(false, "ifname", "tap%d", "queues", 4L, "vnet_hdr", false, "script", "no",
                "downscript", "no", "sndbuf", 1048576L);
        assertEquals(Optional.empty(), c.script());
        assertEquals(Optional.empty(), c.downscript());
        assertEquals(4, c.queues());
        assertEquals(TapConfig.VnetHeader.OFF, c.vnetHeader());
        assertEquals(1048576, c.sndbuf());
        assertEquals(Integer.MAX_VALUE, parse(false, "sndbuf", 0L).sndbuf());
    }

    @Test
    void fdsAreParsedAndMustMatchQueues() {
        TapConfig c = parse(false, "fds", List.of("5", "6", "7"));
        assertEquals(TapConfig.Mode.GIVEN_FDS, c.mode());
        assertEquals(List.of(5, 6, 7), c.fds());
        assertEquals(3, c.queues());
        assertTrue(refused(false, "fds", List.of("5", "6"), "queues", 3L).contains("queues=3 but fds= lists 2"));
        assertTrue(refused(false, "fds", List.of("5", "5")).contains("twice"));
        assertTrue(refused(false, "fds", List.of("5", "x")).contains("fds=x is not a descriptor number"));
        assertEquals(List.of(9), parse(false, "fd", "9").fds());
    }

    @Test
    void vhostIsAClearError() {
        assertTrue(refused(false, "vhost", true).contains("/dev/vhost-net"));
    }

    @Test
    void incomingFdsOnlyInAnIncomingProcessAndAlone() {
        assertTrue(refused(false, "incoming-fds", true).contains("only in a process started for an incoming migration"));
        TapConfig c = parse(true, "incoming-fds", true, "queues", 4L, "script", "no", "downscript", "no");
        assertEquals(TapConfig.Mode.INCOMING, c.mode());
        assertEquals(4, c.queues());
        for (Object[] kv : List.of(new Object[] {"ifname", "tap0"}, new Object[] {"vnet_hdr", true},
                new Object[] {"fd", "3"}, new Object[] {"fds", List.of("3", "4")}, new Object[] {"br", "br0"},
                new Object[] {"helper", "/usr/lib/qemu/qemu-bridge-helper"}, new Object[] {"sndbuf", 4096L})) {
            String msg = refused(true, "incoming-fds", true, kv[0], kv[1]);
            assertTrue(msg.contains(kv[0] + "= cannot be combined with incoming-fds=on"), msg);
        }
    }

    @Test
    void fdExcludesTheOptionsQemuExcludes() {
        for (Object[] kv : List.of(new Object[] {"ifname", "tap0"}, new Object[] {"script", "/x"},
                new Object[] {"downscript", "/x"}, new Object[] {"vnet_hdr", true}, new Object[] {"queues", 2L})) {
            String msg = refused(false, "fd", "3", kv[0], kv[1]);
            assertTrue(msg.contains(kv[0] + "= cannot be combined with fd="), msg);
        }
        assertTrue(refused(false, "fd", "3", "fds", List.of("4")).contains("mutually exclusive"));
        assertTrue(refused(false, "fds", List.of("4"), "ifname", "t").contains("ifname= cannot be combined with fds="));
        assertTrue(refused(false, "fd", "sock0").contains("not a descriptor number"));
        assertTrue(refused(false, "fd", "-1").contains("not a descriptor number"));
    }

    @Test
    void interfaceNamesFollowTheKernelsRules() {
        assertTrue(refused(false, "ifname", "averyveryverylongname").contains("at most 15"));
        assertTrue(refused(false, "ifname", "tap%d%d").contains("one %d"));
        assertTrue(refused(false, "ifname", "tap%s").contains("one %d"));
        assertTrue(refused(false, "ifname", "a/b").contains("cannot contain"));
        assertTrue(refused(false, "ifname", "a b").contains("cannot contain"));
        assertTrue(refused(false, "ifname", "").contains("empty"));
        assertEquals("vm%dnet", parse(false, "ifname", "vm%dnet").ifname());
    }

    @Test
    void rangesAreChecked() {
        assertTrue(refused(false, "queues", 0L).contains("outside 1..256"));
        assertTrue(refused(false, "queues", 257L).contains("outside 1..256"));
        assertTrue(refused(false, "sndbuf", -1L).contains("sndbuf=-1"));
        assertTrue(refused(false, "sndbuf", 1L << 32).contains("outside"));
        assertTrue(refused(false, "br", "br0").contains("not supported"));
        assertTrue(refused(false, "helper", "/bin/true").contains("not supported"));
    }

    @Test
    void everyOptionIsDeclaredWithQemusName() {
        List<String> names = TapConfig.properties().stream().map(p -> p.name()).toList();
        assertEquals(List.of("ifname", "queues", "fd", "fds", "vnet_hdr", "script", "downscript", "sndbuf", "vhost",
                "incoming-fds", "br", "helper"), names);
    }
}
