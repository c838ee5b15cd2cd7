package io.jvmm.core.plugin;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pf4j.BasePluginRepository;
import org.pf4j.DefaultPluginManager;
import org.pf4j.ExtensionFactory;
import org.pf4j.Plugin;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginFactory;
import org.pf4j.PluginLoader;
import org.pf4j.PluginRepository;
import org.pf4j.PluginRuntimeException;
import org.pf4j.PluginWrapper;
import org.pf4j.RuntimeMode;
import org.pf4j.util.StringUtils;

/**
 * pf4j configured for jvmm: always deployment mode (the plugin folder is explicit), jars and folders
 * as plugins, no zip expansion at start (it costs start-up time and writes into the installation),
 * no required Plugin-Class, and load failures recorded instead of only logged (pf4j logs and skips
 * a plugin it cannot load; for jvmm that is a start-up error).
 */
final class JvmmPluginManager extends DefaultPluginManager {
    private final Map<Path, Throwable> loadFailures = new LinkedHashMap<>();
    private final ExtensionFactory extensionFactory;

    JvmmPluginManager(Path pluginsRoot, ExtensionFactory extensionFactory) {
        super(pluginsRoot);
        this.extensionFactory = extensionFactory;
    }

    @Override
    public RuntimeMode getRuntimeMode() {
        return RuntimeMode.DEPLOYMENT;
    }

    @Override
    protected PluginRepository createPluginRepository() {
        return new BasePluginRepository(getPluginsRoots(), path -> {
            String name = path.getName();
            return !name.startsWith(".") && (path.isDirectory() || name.endsWith(".jar"));
        });
    }

    @Override
    protected PluginLoader createPluginLoader() {
        return new JvmmPluginLoader(this);
    }

    @Override
    protected ExtensionFactory createExtensionFactory() {
        // called from the super constructor, before our field is set; getExtensionFactory() below
        // answers with the real one.
        return null;
    }

    @Override
    public ExtensionFactory getExtensionFactory() {
        return extensionFactory;
    }

    @Override
    protected PluginFactory createPluginFactory() {
        return wrapper -> {
            String pluginClass = wrapper.getDescriptor().getPluginClass();
            if (StringUtils.isNullOrEmpty(pluginClass) || pluginClass.equals(Plugin.class.getName())) {
                // jvmm plugins contribute through their VmmPlugin extension; a Plugin subclass is optional.
                return new Plugin() {
                };
            }
            Class<?> c;
            try {
                c = wrapper.getPluginClassLoader().loadClass(pluginClass);
            } catch (ClassNotFoundException | LinkageError e) {
                throw new PluginRuntimeException(e, "Plugin-Class {} cannot be loaded: {}", pluginClass, e.toString());
            }
            if (!Plugin.class.isAssignableFrom(c)) {
                // Plugin-Class may name the plugin's VmmPlugin extension (docs/plugin-guide.md): that
                // class is found through the extension index, the pf4j lifecycle needs nothing from it.
                return new Plugin() {
                };
            }
            try {
                return (Plugin) c.getConstructor().newInstance();
            } catch (ReflectiveOperationException | LinkageError e) {
                throw new PluginRuntimeException(e, "cannot create plugin class {}: {}", pluginClass, e.toString());
            }
        };
    }

    @Override
    protected void validatePluginDescriptor(PluginDescriptor descriptor) {
        if (StringUtils.isNullOrEmpty(descriptor.getPluginId())) {
            throw new PluginRuntimeException("no Plugin-Id (manifest) or plugin.id (plugin.properties)");
        }
        if (StringUtils.isNullOrEmpty(descriptor.getVersion())) {
            throw new PluginRuntimeException("plugin '" + descriptor.getPluginId() + "' has no version");
        }
    }

    @Override
    protected PluginWrapper loadPluginFromPath(Path pluginPath) {
        try {
            return super.loadPluginFromPath(pluginPath);
        } catch (RuntimeException | LinkageError e) {
            loadFailures.put(pluginPath, e);
            throw e;
        }
    }

    /** Plugins that could not be loaded, by path, with the reason. */
    Map<Path, Throwable> loadFailures() {
        return loadFailures;
    }

    /** Stops plugins one at a time: pf4j 3.15's stopPlugins() throws ConcurrentModificationException. */
    void stopAll() {
        List<PluginWrapper> started = new ArrayList<>(getStartedPlugins());
        java.util.Collections.reverse(started);
        for (PluginWrapper p : started) {
            try {
                stopPlugin(p.getPluginId());
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(JvmmPluginManager.class)
                        .warn("plugin {} did not stop cleanly: {}", p.getPluginId(), e.toString());
            }
        }
    }
}
