package io.jvmm.core.plugin;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginLoader;
import org.pf4j.PluginManager;
import org.pf4j.PluginRuntimeException;

/**
 * Loads a plugin from a jar ({@code plugins/NAME.jar}) or a folder ({@code plugins/ID/} with
 * {@code plugin.properties}, {@code classes/} and/or {@code lib/*.jar}) into a
 * {@link JvmmPluginClassLoader}.
 */
final class JvmmPluginLoader implements PluginLoader {
    private final PluginManager manager;

    JvmmPluginLoader(PluginManager manager) {
        this.manager = manager;
    }

    @Override
    public boolean isApplicable(Path pluginPath) {
        return Files.isDirectory(pluginPath) || isJar(pluginPath);
    }

    @Override
    public ClassLoader loadPlugin(Path pluginPath, PluginDescriptor descriptor) {
        JvmmPluginClassLoader loader = new JvmmPluginClassLoader(manager, descriptor, getClass().getClassLoader());
        try {
            if (isJar(pluginPath)) {
                loader.addFile(pluginPath.toFile());
            } else {
                Path classes = pluginPath.resolve("classes");
                if (Files.isDirectory(classes)) {
                    loader.addFile(classes.toFile());
                }
                Path lib = pluginPath.resolve("lib");
                if (Files.isDirectory(lib)) {
                    try (Stream<Path> jars = Files.list(lib)) {
                        for (Path jar : jars.filter(JvmmPluginLoader::isJar).sorted().toList()) {
                            loader.addFile(jar.toFile());
                        }
                    }
                }
                if (List.of(loader.getURLs()).isEmpty()) {
                    throw new PluginRuntimeException("folder " + pluginPath + " has neither classes/ nor lib/*.jar");
                }
            }
            return loader;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            try {
                loader.close();
            } catch (IOException ignored) {
                // the loader opened nothing yet worth reporting
            }
            throw e;
        }
    }

    static boolean isJar(Path p) {
        return Files.isRegularFile(p) && p.getFileName().toString().endsWith(".jar");
    }
}
