package io.jvmm.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.spi.config.ConfigException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** YAML and the QEMU-style command line produce one model; each loader's errors say where. */
class ConfigLoadersTest {

    static final String SEED_YAML = """
            name: source
            machine:
              type: q35
              memory: {size: 1G, backend: file, path: /dev/shm/jvmm-demo, share: on}
            accel: qtest
            start-paused: off
            netdevs:
              - {id: netdev.1, type: tap, ifname: tap0, queues: 4, vnet_hdr: on, script: no, downscript: no}
            devices:
              - {type: pcie-pci-bridge, id: pci.1, bus: pcie.0}
              - {type: virtio-net-pci, id: vnet.1, netdev: netdev.1, bus: pci.1, mq: on, vectors: 18, romfile: "", local-migration: on}
            serial: stdio
            qmp: [unix:/tmp/qmp-source.sock]
            incoming: defer
            """;

    static final List<String> SEED_CLI = List.of(
            "-name", "source",
            "-machine", "q35",
            "-accel", "qtest",
            "-m", "1G",
            "-object", "memory-backend-file,id=ram0,size=1G,mem-path=/dev/shm/jvmm-demo,share=on",
            "-machine", "memory-backend=ram0",
            "-device", "pcie-pci-bridge,id=pci.1,bus=pcie.0",
            "-netdev", "tap,id=netdev.1,ifname=tap0,queues=4,vnet_hdr=on,script=no,downscript=no",
            "-device", "virtio-net-pci,netdev=netdev.1,id=vnet.1,bus=pci.1,mq=on,vectors=18,romfile=,local-migration=on",
            "-serial", "stdio",
            "-nographic",
            "-nodefaults",
            "-display", "none",
            "-qmp", "unix:/tmp/qmp-source.sock,server=on,wait=off",
            "-incoming", "defer");

    @Test
    void yamlAndCommandLineGiveTheSameModel() {
        VmConfig yaml = YamlConfigLoader.parse(SEED_YAML);
        VmConfig cli = QemuCommandLine.parse(SEED_CLI);
        assertEquals(yaml.withoutSources(), cli.withoutSources());

        assertEquals(Optional.of("source"), yaml.name());
        assertEquals(new MemoryConfig(1L << 30, "file", Optional.of("/dev/shm/jvmm-demo"), true), yaml.machine().memory());
        assertEquals("qtest", yaml.accel().orElseThrow().type());
        assertEquals(new NetdevConfig("netdev.1", "tap", Map.of("ifname", "tap0", "queues", "4", "vnet_hdr", "on",
                "script", "no", "downscript", "no")), yaml.netdevs().getFirst());
        assertEquals("", yaml.devices().get(1).properties().get("romfile"));
        assertEquals(Optional.of("vnet.1"), yaml.devices().get(1).id());
        assertEquals(List.of("unix:/tmp/qmp-source.sock"), yaml.qmp());
        assertEquals(Optional.of("defer"), yaml.incoming());
    }

    @Test
    void yamlRemembersLines() {
        VmConfig yaml = YamlConfigLoader.parse(SEED_YAML);
        assertEquals(Optional.of("line 11"), yaml.sources().locate("devices[1].netdev"));
        assertEquals(Optional.of("line 8"), yaml.sources().locate("netdevs[0]"));
        // a key with no entry of its own falls back to its node
        assertEquals(Optional.of("line 11"), yaml.sources().locate("devices[1].nosuchkey"));
    }

    @Test
    void qtestOptionImpliesTheAccelerator() {
        VmConfig c = QemuCommandLine.parse(List.of("-machine", "none", "-qtest", "unix:/tmp/q.sock", "-qtest-log", "none"));
        assertEquals(new AccelConfig("qtest", Map.of("socket", "unix:/tmp/q.sock", "log", "none")), c.accel().orElseThrow());
        VmConfig y = YamlConfigLoader.parse("machine: none\naccel: {type: qtest, socket: unix:/tmp/q.sock, log: none}\n");
        assertEquals(c.withoutSources(), y.withoutSources());
    }

    @Test
    void commandLineDefaults() {
        VmConfig c = QemuCommandLine.parse(List.of("-machine", "none", "-m", "256"));
        assertEquals(new MemoryConfig(256L << 20, "ram", Optional.empty(), false), c.machine().memory());
        assertEquals(Optional.empty(), c.accel());
        assertEquals(Optional.empty(), c.serial());
        assertEquals(false, c.startPaused());
    }

    @Test
    void qemuOptsEscapesAndBareKeys() {
        assertEquals(Map.of("driver", "x", "path", "a,b", "flag", "on"),
                QemuOpts.parse("x,path=a,,b,flag", "driver"));
        ConfigException e = assertThrows(ConfigException.class, () -> QemuOpts.parse("x,a=1,a=2", "driver"));
        assertEquals("'a' given twice in 'x,a=1,a=2'", e.getMessage());
    }

    @Test
    void commandLineErrors() {
        assertEquals("unknown option '-vga' (argument 3); jvmm accepts -M, -S, -accel, -bios, -chardev, -device,"
                        + " -display, -enable-kvm, -incoming, -m, -machine, -mon, -name, -netdev, -nodefaults,"
                        + " -nographic, -object, -qmp, -qtest, -qtest-log, -serial; see ./jvmm --help",
                cliError("-machine", "none", "-vga", "std"));
        assertEquals("option '-m' needs an argument", cliError("-machine", "none", "-m"));
        assertEquals("no machine type: give -machine TYPE (e.g. -machine none or -machine q35)", cliError("-m", "1G"));
        assertEquals("-display sdl: jvmm has no display; use -display none", cliError("-machine", "none", "-display", "sdl"));
        assertEquals("-qmp tcp:localhost:4444,server=on,wait=off: jvmm serves QMP on UNIX sockets only: use"
                        + " unix:PATH,server=on,wait=off",
                cliError("-machine", "none", "-qmp", "tcp:localhost:4444,server=on,wait=off"));
        assertEquals("-qmp unix:/tmp/x,server=on,wait=on: wait=on is not supported: jvmm starts without waiting"
                + " for a client (wait=off)", cliError("-machine", "none", "-qmp", "unix:/tmp/x,server=on,wait=on"));
        assertEquals("-m 2G does not match the size of memory backend 'ram0' (1G)", cliError("-machine",
                "none,memory-backend=ram0", "-m", "2G", "-object", "memory-backend-ram,id=ram0,size=1G"));
        assertEquals("-machine memory-backend=nope: no -object with id 'nope'", cliError("-machine",
                "none,memory-backend=nope"));
        assertEquals("-object memory-backend-ram,id=r,size=1G: memory backend 'r' is not used; add -machine"
                + " memory-backend=r", cliError("-machine", "none", "-object", "memory-backend-ram,id=r,size=1G"));
        assertEquals("-object memory-backend-epc,id=r,size=1G: object type 'memory-backend-epc' is not supported;"
                + " jvmm knows memory-backend-file, memory-backend-memfd, memory-backend-ram",
                cliError("-machine", "none", "-object", "memory-backend-epc,id=r,size=1G"));
        assertEquals("-netdev tap,ifname=tap0: needs id=", cliError("-machine", "none", "-netdev", "tap,ifname=tap0"));
        assertEquals("unexpected argument 'foo.yaml' (argument 3); options start with '-', e.g. -machine none",
                cliError("-machine", "none", "foo.yaml"));
        assertEquals("-accel qtest: only one accelerator can be given (jvmm does not fall back between several)",
                cliError("-machine", "none", "-accel", "kvm", "-accel", "qtest"));
    }

    private static String cliError(String... args) {
        return assertThrows(ConfigException.class, () -> QemuCommandLine.parse(List.of(args))).getMessage();
    }

    @Test
    void yamlErrors() {
        assertEquals("not valid YAML: mapping values are not allowed here (line 1)", yamlError("machine: a: b\n"));
        assertEquals("the file is empty; a VM needs at least 'machine'", yamlError(""));
        assertEquals("the top level must be a mapping with keys name, machine, accel, start-paused, netdevs, devices,"
                + " serial, qmp, incoming, bios, found a list (line 1)", yamlError("- a\n- b\n"));
        assertEquals("machine: missing; say which machine to build, e.g. 'machine: {type: q35, memory: 1G}'",
                yamlError("name: x\n"));
        assertEquals("machnie: unknown key 'machnie'; known keys: accel, bios, devices, incoming, machine, name,"
                + " netdevs, qmp, serial, start-paused (line 2)", yamlError("machine: none\nmachnie: q35\n"));
        assertEquals("machine: key given twice (lines 1 and 2)", yamlError("machine: none\nmachine: q35\n"));
        assertEquals("devices[0]: 'type' is missing (line 3)", yamlError("machine: none\ndevices:\n  - {id: x}\n"));
        assertEquals("devices: expected a list, found a mapping (line 2)", yamlError("machine: none\ndevices:\n  a: b\n"));
        assertEquals("machine.memory.size: 'lots' is not a size (examples: 1G, 512M, 4096) (line 2)",
                yamlError("machine:\n  memory: {size: lots}\n  type: none\n"));
        assertEquals("machine.memory.backend: unknown memory backend 'hugetlb'; known: ram, memfd, file (line 1)",
                yamlError("machine: {type: none, memory: {backend: hugetlb}}\n"));
        assertEquals("devices[0].mac: expected a value, found a mapping (line 3)",
                yamlError("machine: none\ndevices:\n  - {type: e1000, mac: {a: 1}}\n"));
        assertEquals("start-paused: 'maybe' is not a boolean (use on or off) (line 2)",
                yamlError("machine: none\nstart-paused: maybe\n"));
    }

    private static String yamlError(String yaml) {
        return assertThrows(ConfigException.class, () -> YamlConfigLoader.parse(yaml)).getMessage();
    }

    @Test
    void yamlListValuesAndQmpAsSingleString() {
        VmConfig c = YamlConfigLoader.parse("machine: none\nqmp: unix:/tmp/a.sock\nnetdevs:\n"
                + "  - {id: n, type: tap, fds: [3, 4]}\n");
        assertEquals(List.of("unix:/tmp/a.sock"), c.qmp());
        assertEquals(List.of("3", "4"), c.netdevs().getFirst().properties().get("fds"));
        assertTrue(c.devices().isEmpty());
    }
}
