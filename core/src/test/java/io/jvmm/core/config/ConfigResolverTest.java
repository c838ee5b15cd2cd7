package io.jvmm.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jvmm.core.plugin.Registries;
import io.jvmm.spi.VmmPlugin;
import io.jvmm.spi.config.Properties;
import io.jvmm.spi.config.PropertySpec;
import io.jvmm.spi.device.Device;
import io.jvmm.spi.device.DeviceContext;
import io.jvmm.spi.device.DeviceFactory;
import io.jvmm.spi.machine.Machine;
import io.jvmm.spi.machine.MachineContext;
import io.jvmm.spi.machine.MachineType;
import io.jvmm.spi.net.NetBackend;
import io.jvmm.spi.net.NetBackendContext;
import io.jvmm.spi.net.NetBackendFactory;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Validation against what plugins provide: every error message as the user reads it. */
class ConfigResolverTest {

    static final class Board implements MachineType {
        @Override
        public String name() {
            return "board-2.0";
        }

        @Override
        public List<String> aliases() {
            return List.of("board");
        }

        @Override
        public Map<String, Map<String, String>> compatProperties() {
            return Map.of("nic", Map.of("local-migration", "off"));
        }

        @Override
        public Machine create(MachineContext context, Properties properties) {
            return new Machine() {
            };
        }
    }

    static final class Nic implements DeviceFactory {
        @Override
        public String name() {
            return "nic";
        }

        @Override
        public List<PropertySpec> properties() {
            return List.of(PropertySpec.string("netdev", null, "backend").asRequired(),
                    PropertySpec.string("bus", null, "bus"),
                    PropertySpec.integer("vectors", 3L, "MSI-X vectors"),
                    PropertySpec.bool("local-migration", true, "hand over the backend"),
                    PropertySpec.oneOf("speed", "fast", "speed", "fast", "slow"));
        }

        @Override
        public Device create(DeviceContext context, Properties properties) {
            throw new UnsupportedOperationException();
        }
    }

    static final class Bridge implements DeviceFactory {
        @Override
        public String name() {
            return "bridge";
        }

        @Override
        public List<PropertySpec> properties() {
            return List.of(PropertySpec.string("bus", null, "bus"));
        }

        @Override
        public Device create(DeviceContext context, Properties properties) {
            throw new UnsupportedOperationException();
        }
    }

    static final class Tap implements NetBackendFactory {
        @Override
        public String name() {
            return "tap";
        }

        @Override
        public List<PropertySpec> properties() {
            return List.of(PropertySpec.integer("queues", 1L, "queue pairs"), PropertySpec.stringList("fds", "fds"),
                    PropertySpec.size("sndbuf", 0L, "send buffer"));
        }

        @Override
        public NetBackend create(String id, Properties properties, NetBackendContext context) {
            throw new UnsupportedOperationException();
        }
    }

    static Registries registries() {
        Registries r = new Registries();
        r.add("test-plugin", new VmmPlugin() {
            @Override
            public List<MachineType> machineTypes() {
                return List.of(new Board());
            }

            @Override
            public List<DeviceFactory> deviceFactories() {
                return List.of(new Nic(), new Bridge());
            }

            @Override
            public List<NetBackendFactory> netBackendFactories() {
                return List.of(new Tap());
            }
        });
        return r;
    }

    private static VmPlan resolve(String yaml) {
        return new ConfigResolver(registries(), "plugins folder /p").resolve(YamlConfigLoader.parse(yaml));
    }

    private static String errors(String yaml) {
        return assertThrows(InvalidConfigException.class, () -> resolve(yaml)).getMessage();
    }

    @Test
    void bindsTypedPropertiesWithCompatAndDefaults() {
        VmPlan plan = resolve("""
                machine: board
                netdevs:
                  - {id: n1, type: tap, queues: "0x4", fds: [3, 4], sndbuf: 1K}
                devices:
                  - {type: bridge, id: pci.1}
                  - {type: nic, netdev: n1, bus: pci.1, speed: slow}
                """);
        assertEquals("board-2.0", plan.machineType().name());
        Properties tap = plan.netdevs().getFirst().properties();
        assertEquals(4L, tap.integer("queues"));
        assertEquals(List.of("3", "4"), tap.stringList("fds"));
        assertEquals(1024L, tap.size("sndbuf"));
        Properties nic = plan.devices().get(1).properties();
        assertEquals(false, nic.bool("local-migration"), "compat value of the machine type over the spec default");
        assertEquals(3L, nic.integer("vectors"));
        assertEquals("device[1]", plan.devices().get(1).id());
    }

    @Test
    void userValueWinsOverCompat() {
        VmPlan plan = resolve("machine: board\nnetdevs: [{id: n1, type: tap}]\n"
                + "devices: [{type: nic, netdev: n1, local-migration: on}]\n");
        assertEquals(true, plan.devices().getFirst().properties().bool("local-migration"));
    }

    @Test
    void danglingReferenceNamesPathAndLine() {
        assertEquals("devices[1].netdev: no netdev 'net9'; netdevs: n1 (line 6)", errors("""
                machine: board
                netdevs:
                  - {id: n1, type: tap}
                devices:
                  - {type: nic, netdev: n1}
                  - {type: nic, netdev: net9}
                """));
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        String msg = errors("""
                machine: board
                netdevs:
                  - {id: n1, type: tap, queues: many, colour: red}
                  - {id: n1, type: vde}
                  - {id: 9lives, type: tap}
                devices:
                  - {type: nic, id: a, netdev: n1, speed: warp}
                  - {type: nic, id: a, netdev: n1}
                  - {type: nic, id: b, netdev: n1, bus: br}
                  - {type: bridge, id: br}
                  - {type: gpu}
                  - {type: nic, id: c}
                serial: vc
                qmp: [tcp:1234]
                """);
        assertEquals(String.join("\n",
                "netdevs[0].queues: 'many' is not an integer (line 3)",
                "netdevs[0].colour: unknown property 'colour' of netdev type 'tap'; known: queues, fds, sndbuf (line 3)",
                "netdevs[1].id: duplicate netdev id 'n1' (also netdevs[0]) (line 4)",
                "netdevs[1].type: unknown netdev type 'vde'; known netdev types: tap (line 4)",
                "netdevs[2].id: '9lives' is not a valid id: start with a letter, then letters, digits, '-', '.' or '_' (line 5)",
                "devices[0].speed: 'warp' is not one of fast, slow (line 7)",
                "devices[1].id: duplicate device id 'a' (also devices[0]) (line 8)",
                "devices[1].netdev: netdev 'n1' is already used by devices[0] (line 8)",
                "devices[2].netdev: netdev 'n1' is already used by devices[0] (line 9)",
                "devices[2].bus: bus 'br' is created by devices[3], which comes later; list it before the devices on it (line 9)",
                "devices[4].type: unknown device type 'gpu'; known device types: bridge, nic (line 11)",
                "devices[5].netdev: required property 'netdev' of device type 'nic' is missing (line 12)"),
                // serial and qmp come first in the check order
                msg.lines().filter(l -> !l.startsWith("serial") && !l.startsWith("qmp")).reduce((a, b) -> a + "\n" + b).orElse(""));
        assertEquals(true, msg.contains("serial: 'vc' is not a serial backend; use stdio, null, file:PATH or unix:PATH (line 13)"), msg);
        assertEquals(true, msg.contains("qmp[0]: 'tcp:1234' is not a QMP socket; use unix:PATH (line 14)"), msg);
    }

    @Test
    void typeOfAPluginNotInstalledSaysWhichPlugin() {
        String msg = errors("machine: q35\naccel: qtest\n");
        assertEquals(String.join("\n",
                "machine.type: unknown machine type 'q35': it comes from plugin 'machine-q35', which is not installed"
                        + " (plugins folder /p); known machine types: board, board-2.0 (line 1)",
                "accel.type: unknown accelerator 'qtest': it comes from plugin 'accel-qtest', which is not installed"
                        + " (plugins folder /p); known accelerators: (none) (line 2)"), msg);
    }

    @Test
    void kvmIsNotAvailableYetAndSaysSo() {
        String msg = errors("machine: board\naccel: kvm\n");
        assertEquals(true, msg.startsWith("accel.type: unknown accelerator 'kvm': jvmm has no kvm accelerator yet"), msg);
        assertEquals(true, msg.contains("; use -accel qtest; known accelerators: (none) (line 2)"), msg);
        assertEquals(!java.nio.file.Files.exists(java.nio.file.Path.of("/dev/kvm")), msg.contains("no /dev/kvm"), msg);
    }

    @Test
    void memoryChecks() {
        assertEquals("machine.memory: backend 'file' needs a path, e.g. path: /dev/shm/jvmm-ram (line 1)",
                errors("machine: {type: board, memory: {size: 1G, backend: file}}\n"));
        assertEquals("machine.memory.size: must be a positive multiple of 4K, got 1000 (line 1)",
                errors("machine: {type: board, memory: 1000}\n"));
        assertEquals("machine.memory.share: backend 'ram' is private; use backend 'memfd' for shared memory (line 1)",
                errors("machine: {type: board, memory: {share: on}}\n"));
    }

    @Test
    void incomingNeedsAKnownTransport() {
        assertEquals("incoming: unknown migration transport 'unix': it comes from plugin 'migration-unix', which"
                + " is not installed (plugins folder /p); known migration transports: (none) (line 2)",
                errors("machine: board\nincoming: unix:/tmp/m.sock\n"));
        assertEquals("incoming: 'later' is neither 'defer' nor a URI such as unix:/tmp/migration.sock (line 2)",
                errors("machine: board\nincoming: later\n"));
        assertEquals("defer", resolve("machine: board\nincoming: defer\n").config().incoming().orElseThrow());
    }
}
