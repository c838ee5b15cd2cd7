package io.jvmm.core.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.Guice;
import io.jvmm.spi.VmmPlugin;
import io.jvmm.spi.lifecycle.VmEvents;
import io.jvmm.spi.machine.MachineType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real plugin jars, compiled and packed by the test, loaded through pf4j. */
class PluginHostTest {
    @TempDir
    Path dir;

    /** Jars built once for the class (compiling is the slow part), copied into each test's folder. */
    private static Path jars;

    @org.junit.jupiter.api.BeforeAll
    static void buildPlugins(@TempDir Path shared) throws Exception {
        jars = Files.createDirectories(shared.resolve("jars"));
        TestPlugins.jar(jars, "good", Map.of("tp/good/Good.java", TestPlugins.machinePlugin("tp.good", "Good", "test-board")),
                TestPlugins.manifest("good"), true);
        TestPlugins.jar(jars, "inject", Map.of("tp/inj/Inj.java", """
                package tp.inj;
                import io.jvmm.spi.VmmPlugin;
                import io.jvmm.spi.lifecycle.VmEvents;
                @org.pf4j.Extension
                public class Inj implements VmmPlugin {
                    @jakarta.inject.Inject
                    public Inj(VmEvents events) { events.emit("PLUGIN_LOADED", java.util.Map.of()); }
                }
                """), TestPlugins.manifest("inject"), true);
        TestPlugins.jar(jars, "bad", Map.of("tp/bad/Bad.java", """
                package tp.bad;
                @org.pf4j.Extension
                public class Bad implements io.jvmm.spi.VmmPlugin {
                    public Bad() { throw new IllegalStateException("no licence for this plugin"); }
                }
                """), TestPlugins.manifest("bad"), true);
        TestPlugins.jar(jars, "noidx", Map.of("tp/noidx/P.java", TestPlugins.machinePlugin("tp.noidx", "P", "b")),
                TestPlugins.manifest("noidx"), false);
        TestPlugins.jar(jars, "nameless", Map.of("tp/n/P.java", TestPlugins.machinePlugin("tp.n", "P", "b")),
                Map.of(), true);
        TestPlugins.jar(jars, "a", Map.of("tp/a/A.java", TestPlugins.machinePlugin("tp.a", "A", "board")),
                TestPlugins.manifest("alpha"), true);
        TestPlugins.jar(jars, "b", Map.of("tp/b/B.java", TestPlugins.machinePlugin("tp.b", "B", "board")),
                TestPlugins.manifest("beta"), true);
        TestPlugins.jar(jars, "shadow", Map.of("tp/s/N.java", TestPlugins.machinePlugin("tp.s", "N", "none")),
                TestPlugins.manifest("shadow"), true);
        TestPlugins.jar(jars, "greedy", Map.of("tp/g/G.java", """
                package tp.g;
                @org.pf4j.Extension
                public class G implements io.jvmm.spi.VmmPlugin {
                    @jakarta.inject.Inject
                    public G(io.jvmm.core.plugin.Registries r) { }
                }
                """), TestPlugins.manifest("greedy"), true);
    }

    /** A plugins folder holding the named prebuilt jars. */
    private Path pluginsWith(String... names) throws Exception {
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        for (String n : names) {
            Files.copy(jars.resolve(n + ".jar"), plugins.resolve(n + ".jar"));
        }
        return plugins;
    }

    private final AtomicReference<String> lastEvent = new AtomicReference<>();
    private final VmEvents events = (name, data) -> lastEvent.set(name);

    private PluginHost load(Path plugins) {
        return PluginHost.load(plugins, new GuiceExtensionFactory(
                Guice.createInjector(b -> b.bind(VmEvents.class).toInstance(events))), List.of());
    }

    @Test
    void loadsAPluginAndRegistersWhatItContributes() throws Exception {
        Path plugins = pluginsWith("good");
        try (PluginHost host = load(plugins)) {
            MachineType m = host.registries().machineTypes().find("test-board").orElseThrow();
            assertEquals("good", host.registries().machineTypes().entry("test-board").orElseThrow().pluginId());
            assertNotSame(getClass().getClassLoader(), m.getClass().getClassLoader(), "loaded by the plugin's loader");
            assertSame(MachineType.class, m.getClass().getInterfaces()[0], "the SPI is shared with the host");
            LoadedPlugin p = host.plugins().stream().filter(x -> x.id().equals("good")).findFirst().orElseThrow();
            assertEquals("1.2.3", p.version());
            assertTrue(host.registries().machineTypes().find("none").isPresent(), "built-in parts stay");
        }
    }

    @Test
    void aFolderPluginWithPropertiesAndLibLoadsToo() throws Exception {
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Path folder = Files.createDirectories(plugins.resolve("boards/lib"));
        Files.copy(jars.resolve("good.jar"), folder.resolve("good.jar"));
        Files.writeString(plugins.resolve("boards/plugin.properties"), "plugin.id=boards\nplugin.version=2.0.0\n");
        try (PluginHost host = load(plugins)) {
            assertEquals("boards", host.registries().machineTypes().entry("test-board").orElseThrow().pluginId());
            assertEquals("2.0.0", host.plugins().stream().filter(p -> p.id().equals("boards")).findFirst()
                    .orElseThrow().version());
        }
    }

    @Test
    void anEmptyPluginFolderIsReported() throws Exception {
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Files.createDirectories(plugins.resolve("hollow"));
        Files.writeString(plugins.resolve("hollow/plugin.properties"), "plugin.id=hollow\nplugin.version=1.0.0\n");
        String msg = failure(plugins);
        assertTrue(msg.startsWith("plugin 'hollow': cannot be loaded from " + plugins.resolve("hollow")), msg);
        assertTrue(msg.contains("has neither classes/ nor lib/*.jar"), msg);
    }

    @Test
    void extensionsGetSpiServicesInjected() throws Exception {
        Path plugins = pluginsWith("inject");
        try (PluginHost host = load(plugins)) {
            assertEquals("PLUGIN_LOADED", lastEvent.get());
        }
    }

    private String failure(Path plugins) {
        return assertThrows(PluginLoadException.class, () -> load(plugins).close()).getMessage();
    }

    @Test
    void aConstructorThatThrowsIsAStartupErrorNamingPluginAndReason() throws Exception {
        Path plugins = pluginsWith("bad");
        String msg = failure(plugins);
        assertTrue(msg.startsWith("plugin 'bad': cannot instantiate tp.bad.Bad: "), msg);
        assertTrue(msg.contains("no licence for this plugin"), msg);
    }

    @Test
    void aPluginBuiltWithoutAnnotationProcessingIsReported() throws Exception {
        Path plugins = pluginsWith("noidx");
        String msg = failure(plugins);
        assertTrue(msg.startsWith("plugin 'noidx': contributes no VmmPlugin extension"), msg);
        assertTrue(msg.contains("annotation processing"), msg);
    }

    @Test
    void aJarWithoutDescriptorIsReported() throws Exception {
        Path plugins = pluginsWith("nameless");
        String msg = failure(plugins);
        assertTrue(msg.startsWith("plugin 'nameless.jar': cannot be loaded from " + plugins.resolve("nameless.jar")), msg);
    }

    @Test
    void twoPluginsClaimingOneNameAreBothNamed() throws Exception {
        Path plugins = pluginsWith("a", "b");
        String msg = failure(plugins);
        assertTrue(msg.matches("plugin '(alpha|beta)': machine type 'board' is provided by both plugin '(alpha|beta)'"
                + " and plugin '(alpha|beta)'; remove one of them"), msg);
        assertTrue(msg.contains("alpha") && msg.contains("beta"), msg);
    }

    @Test
    void claimingABuiltInNameIsAnErrorToo() throws Exception {
        Path plugins = pluginsWith("shadow");
        assertEquals("plugin 'shadow': machine type 'none' is provided by both plugin 'builtin' and plugin 'shadow';"
                + " remove one of them", failure(plugins));
    }

    @Test
    void extensionsMayNotAskForCoreClasses() throws Exception {
        Path plugins = pluginsWith("greedy");
        String msg = failure(plugins);
        assertTrue(msg.contains("asks for io.jvmm.core.plugin.Registries in its constructor; extensions may inject SPI"
                + " services (io.jvmm.spi.*) only"), msg);
    }

    @Test
    void aMissingFolderMeansBuiltInOnly() {
        try (PluginHost host = load(dir.resolve("absent"))) {
            assertEquals(List.of("builtin"), host.plugins().stream().map(LoadedPlugin::id).toList());
            assertEquals(List.of("none"), host.registries().machineTypes().names());
        }
    }

    @Test
    void corePartsAreListedAsBuiltin() {
        VmmPlugin extra = new VmmPlugin() {
            @Override
            public List<MachineType> machineTypes() {
                return List.of(new MachineType() {
                    @Override
                    public String name() {
                        return "extra";
                    }

                    @Override
                    public io.jvmm.spi.machine.Machine create(io.jvmm.spi.machine.MachineContext c,
                            io.jvmm.spi.config.Properties p) {
                        return new io.jvmm.spi.machine.Machine() {
                        };
                    }
                });
            }
        };
        try (PluginHost host = PluginHost.builtinOnly(List.of(extra))) {
            assertEquals(List.of("extra", "none"), host.registries().machineTypes().namesFrom("builtin"));
        }
    }
}
