package io.jvmm.core.plugin;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/** Builds real plugin jars for tests: compiles sources (with pf4j's annotation processor) and packs them. */
final class TestPlugins {
    private TestPlugins() {
    }

    /**
     * @param sources file name (e.g. "p/Good.java") to source text
     * @param manifest attributes (Plugin-Id, Plugin-Version); empty for none
     * @param annotationProcessing false reproduces a plugin built without the extension index
     */
    static Path jar(Path dir, String name, Map<String, String> sources, Map<String, String> manifest,
            boolean annotationProcessing) throws IOException {
        // built outside the plugins folder, which must hold nothing but plugins
        Path build = Files.createDirectories(dir.resolveSibling("build-" + name));
        Path src = Files.createDirectories(build.resolve("src"));
        Path classes = Files.createDirectories(build.resolve("classes"));
        List<String> files = new ArrayList<>();
        for (Map.Entry<String, String> e : sources.entrySet()) {
            Path f = src.resolve(e.getKey());
            Files.createDirectories(f.getParent());
            Files.writeString(f, e.getValue());
            files.add(f.toString());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        List<String> args = new ArrayList<>(List.of("-d", classes.toString(), "-cp", System.getProperty("java.class.path"),
                annotationProcessing ? "-proc:full" : "-proc:none", "-nowarn"));
        args.addAll(files);
        if (javac.run(null, null, null, args.toArray(String[]::new)) != 0) {
            throw new IllegalStateException("test plugin " + name + " does not compile");
        }
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.forEach((k, v) -> mf.getMainAttributes().putValue(k, v));
        Path jar = dir.resolve(name + ".jar");
        try (OutputStream os = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(os, mf);
                Stream<Path> walk = Files.walk(classes)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(p).toString().replace('\\', '/')));
                Files.copy(p, out);
                out.closeEntry();
            }
        }
        return jar;
    }

    static Map<String, String> manifest(String id) {
        return Map.of("Plugin-Id", id, "Plugin-Version", "1.2.3", "Plugin-Description", "test plugin " + id);
    }

    /** A plugin contributing one machine type named {@code machine}. */
    static String machinePlugin(String pkg, String cls, String machine) {
        return """
                package %1$s;
                import io.jvmm.spi.VmmPlugin;
                import io.jvmm.spi.config.Properties;
                import io.jvmm.spi.machine.*;
                import java.util.List;
                @org.pf4j.Extension
                public class %2$s implements VmmPlugin {
                    @Override public List<MachineType> machineTypes() {
                        return List.of(new MachineType() {
                            @Override public String name() { return "%3$s"; }
                            @Override public Machine create(MachineContext c, Properties p) { return new Machine() { }; }
                        });
                    }
                }
                """.formatted(pkg, cls, machine);
    }
}
