package io.jvmm.core.plugin;

import io.jvmm.spi.VmmPlugin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.pf4j.ExtensionFactory;
import org.pf4j.PluginState;
import org.pf4j.PluginWrapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the plugins of a folder with pf4j and collects what they contribute into {@link Registries}.
 * Any plugin that cannot be loaded, started or instantiated, or that contributes nothing, stops the
 * start-up with its id and the reason: a VM silently missing a device type is worse than no VM.
 */
public final class PluginHost implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PluginHost.class);

    private final Registries registries;
    private final List<LoadedPlugin> plugins;
    private final Optional<Path> pluginsDir;
    private final JvmmPluginManager manager;

    private PluginHost(Registries registries, List<LoadedPlugin> plugins, Optional<Path> pluginsDir,
            JvmmPluginManager manager) {
        this.registries = registries;
        this.plugins = List.copyOf(plugins);
        this.pluginsDir = pluginsDir;
        this.manager = manager;
    }

    /** Only the built-in parts (tests, or a host without a plugins folder). */
    public static PluginHost builtinOnly() {
        return builtinOnly(List.of());
    }

    /** The built-in parts plus {@code coreParts}, the core's other contributions (listed as "builtin"). */
    public static PluginHost builtinOnly(List<VmmPlugin> coreParts) {
        Registries registries = new Registries();
        List<LoadedPlugin> plugins = new ArrayList<>();
        addBuiltin(registries, plugins, coreParts);
        return new PluginHost(registries, plugins, Optional.empty(), null);
    }

    /**
     * Loads every plugin in {@code pluginsDir} (a missing folder means no plugins), instantiating
     * extensions with {@code extensionFactory}.
     *
     * @param coreParts the core's own contributions beyond machine type none (the tcp migration
     *     transport), registered under the plugin id "builtin"
     * @throws PluginLoadException naming the first plugin that failed and why
     */
    public static PluginHost load(Path pluginsDir, ExtensionFactory extensionFactory, List<VmmPlugin> coreParts) {
        Registries registries = new Registries();
        List<LoadedPlugin> plugins = new ArrayList<>();
        addBuiltin(registries, plugins, coreParts);
        if (!Files.isDirectory(pluginsDir)) {
            LOG.debug("no plugins folder at {}", pluginsDir);
            return new PluginHost(registries, plugins, Optional.of(pluginsDir), null);
        }
        JvmmPluginManager manager = new JvmmPluginManager(pluginsDir, extensionFactory);
        try {
            manager.loadPlugins();
            for (Map.Entry<Path, Throwable> failure : manager.loadFailures().entrySet()) {
                throw new PluginLoadException(failure.getKey().getFileName().toString(),
                        "cannot be loaded from " + failure.getKey() + ": " + reason(failure.getValue()), failure.getValue());
            }
            for (PluginWrapper w : manager.getPlugins()) {
                if (w.getPluginState() != PluginState.RESOLVED && w.getPluginState() != PluginState.STARTED) {
                    throw new PluginLoadException(w.getPluginId(), "is " + w.getPluginState().toString().toLowerCase()
                            + " (unresolved dependencies or disabled)");
                }
            }
            manager.startPlugins();
            for (PluginWrapper w : manager.getPlugins()) {
                if (w.getPluginState() != PluginState.STARTED) {
                    Throwable failed = w.getFailedException();
                    throw new PluginLoadException(w.getPluginId(), "did not start"
                            + (failed != null ? ": " + reason(failed) : ""), failed);
                }
                registerExtensions(w, extensionFactory, registries);
                plugins.add(new LoadedPlugin(w.getPluginId(), w.getDescriptor().getVersion(),
                        nullToEmpty(w.getDescriptor().getPluginDescription()), Optional.of(w.getPluginPath().toString())));
            }
            return new PluginHost(registries, plugins, Optional.of(pluginsDir), manager);
        } catch (RuntimeException | LinkageError e) {
            manager.stopAll();
            manager.unloadPlugins();
            throw e;
        }
    }

    private static void addBuiltin(Registries registries, List<LoadedPlugin> plugins, List<VmmPlugin> coreParts) {
        registries.add(BuiltinPlugin.ID, new BuiltinPlugin());
        for (VmmPlugin p : coreParts) {
            registries.add(BuiltinPlugin.ID, p);
        }
        plugins.add(new LoadedPlugin(BuiltinPlugin.ID, JvmmVersion.VERSION, "parts built into the jvmm core", Optional.empty()));
    }

    /**
     * Instantiates the plugin's VmmPlugin extensions ourselves rather than through pf4j's
     * getExtensions(), which logs and skips extensions whose class fails to load.
     */
    private static void registerExtensions(PluginWrapper w, ExtensionFactory factory, Registries registries) {
        String id = w.getPluginId();
        Set<String> classNames = w.getPluginManager().getExtensionClassNames(id);
        int found = 0;
        for (String className : classNames) {
            Class<?> c;
            try {
                c = w.getPluginClassLoader().loadClass(className);
            } catch (ClassNotFoundException | LinkageError e) {
                throw new PluginLoadException(id, "extension class " + className + " cannot be loaded: " + reason(e), e);
            }
            if (!VmmPlugin.class.isAssignableFrom(c)) {
                if (c.getInterfaces().length > 0 && java.util.Arrays.stream(c.getInterfaces())
                        .anyMatch(i -> i.getName().equals(VmmPlugin.class.getName()))) {
                    throw new PluginLoadException(id, className + " implements a second copy of VmmPlugin: the plugin"
                            + " bundles jvmm-spi; declare jvmm-spi with <scope>provided</scope>");
                }
                continue;
            }
            Object instance;
            try {
                instance = factory.create(c);
            } catch (RuntimeException | LinkageError e) {
                throw new PluginLoadException(id, "cannot instantiate " + className + ": " + reason(e), e);
            }
            try {
                registries.add(id, (VmmPlugin) instance);
            } catch (PluginLoadException e) {
                throw e;
            } catch (RuntimeException | LinkageError e) {
                throw new PluginLoadException(id, className + " failed listing its contributions: " + reason(e), e);
            }
            found++;
        }
        if (found == 0) {
            throw new PluginLoadException(id, "contributes no VmmPlugin extension: is the class annotated with "
                    + "@org.pf4j.Extension and was the plugin compiled with annotation processing (<proc>full</proc>,"
                    + " which writes META-INF/extensions.idx)?");
        }
    }

    static String reason(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String msg = e.getMessage();
        String rootMsg = root == e ? "" : " (" + root + ")";
        return (msg == null ? e.getClass().getSimpleName() : msg) + rootMsg;
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    public Registries registries() {
        return registries;
    }

    public List<LoadedPlugin> plugins() {
        return plugins;
    }

    public Optional<Path> pluginsDir() {
        return pluginsDir;
    }

    @Override
    public void close() {
        if (manager != null) {
            manager.stopAll();
            manager.unloadPlugins();
        }
    }
}
