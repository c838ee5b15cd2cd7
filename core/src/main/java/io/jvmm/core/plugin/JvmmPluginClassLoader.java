package io.jvmm.core.plugin;

import java.util.List;
import org.pf4j.ClassLoadingStrategy;
import org.pf4j.PluginClassLoader;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginManager;

/**
 * A plugin's class loader: its own classes first (so a plugin may bring its own library versions),
 * except for the packages the host and every plugin must share one copy of. Those go to the host:
 * the SPI (a plugin's VmmPlugin must be the host's interface), slf4j (one logging provider),
 * jakarta.inject (Guice sees the same @Inject), and junixsocket, whose native library can be
 * loaded by only one class loader in a JVM.
 */
final class JvmmPluginClassLoader extends PluginClassLoader {

    /** Package prefixes loaded from the host when the host has them. */
    static final List<String> PARENT_FIRST = List.of(
            "io.jvmm.spi.", "org.slf4j.", "jakarta.inject.", "org.newsclub.");

    JvmmPluginClassLoader(PluginManager manager, PluginDescriptor descriptor, ClassLoader parent) {
        super(manager, descriptor, parent, ClassLoadingStrategy.PDA);
    }

    @Override
    protected boolean shouldDelegateToParent(String className) {
        if (super.shouldDelegateToParent(className)) {
            return true;
        }
        for (String prefix : PARENT_FIRST) {
            if (className.startsWith(prefix)) {
                // junixsocket may be absent from the host (a host without it still runs plugins
                // that bring their own copy); the SPI and slf4j are always there.
                return !prefix.equals("org.newsclub.") || hostHas(className);
            }
        }
        return false;
    }

    private boolean hostHas(String className) {
        return getParent().getResource(className.replace('.', '/') + ".class") != null;
    }
}
