package io.jvmm.core.plugin;

import com.google.inject.ConfigurationException;
import com.google.inject.CreationException;
import com.google.inject.Injector;
import com.google.inject.ProvisionException;
import java.lang.reflect.Constructor;
import org.pf4j.ExtensionFactory;
import org.pf4j.PluginRuntimeException;

/**
 * Creates plugin extensions through Guice, so an extension may ask for services in its
 * {@code @Inject} constructor. The injector it gets binds SPI types only: a plugin can never reach
 * a core class this way, and every constructor parameter that is not an SPI type is refused before
 * Guice would make one up just in time.
 */
public final class GuiceExtensionFactory implements ExtensionFactory {
    private final Injector spiInjector;

    /** {@code spiInjector} must bind nothing but types from {@code io.jvmm.spi}. */
    public GuiceExtensionFactory(Injector spiInjector) {
        this.spiInjector = spiInjector;
    }

    @Override
    public <T> T create(Class<T> extensionClass) {
        for (Constructor<?> c : extensionClass.getDeclaredConstructors()) {
            for (Class<?> p : c.getParameterTypes()) {
                if (!p.getName().startsWith("io.jvmm.spi.")) {
                    throw new PluginRuntimeException(extensionClass.getName() + " asks for " + p.getName()
                            + " in its constructor; extensions may inject SPI services (io.jvmm.spi.*) only");
                }
            }
        }
        try {
            return spiInjector.getInstance(extensionClass);
        } catch (ConfigurationException | ProvisionException | CreationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new PluginRuntimeException(cause, "cannot create {}: {}", extensionClass.getName(),
                    e.getCause() != null ? e.getCause().toString() : firstLine(e.getMessage()));
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        String t = s.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl);
    }
}
