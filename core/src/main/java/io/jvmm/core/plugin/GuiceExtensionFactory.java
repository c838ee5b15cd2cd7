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
    private final java.util.function.Supplier<Injector> spiInjector;
    private Injector injector;

    /** {@code spiInjector} must bind nothing but types from {@code io.jvmm.spi}. */
    public GuiceExtensionFactory(Injector spiInjector) {
        this(() -> spiInjector);
    }

    /**
     * The injector is made on first use: most extensions have a plain no-argument constructor, and
     * creating an injector costs start-up time for nothing then.
     */
    public GuiceExtensionFactory(java.util.function.Supplier<Injector> spiInjector) {
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
            Constructor<?> noArgs = null;
            boolean injectable = false;
            for (Constructor<?> c : extensionClass.getDeclaredConstructors()) {
                injectable |= c.isAnnotationPresent(jakarta.inject.Inject.class)
                        || c.isAnnotationPresent(com.google.inject.Inject.class);
                if (c.getParameterCount() == 0 && java.lang.reflect.Modifier.isPublic(c.getModifiers())) {
                    noArgs = c;
                }
            }
            for (var m : extensionClass.getDeclaredMethods()) {
                injectable |= m.isAnnotationPresent(jakarta.inject.Inject.class);
            }
            for (var f : extensionClass.getDeclaredFields()) {
                injectable |= f.isAnnotationPresent(jakarta.inject.Inject.class);
            }
            if (!injectable && noArgs != null) {
                return extensionClass.cast(noArgs.newInstance());
            }
            return injector().getInstance(extensionClass);
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw new PluginRuntimeException(e.getCause(), "cannot create {}: {}", extensionClass.getName(),
                    e.getCause().toString());
        } catch (ReflectiveOperationException e) {
            throw new PluginRuntimeException(e, "cannot create {}: {}", extensionClass.getName(), e.toString());
        } catch (ConfigurationException | ProvisionException | CreationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new PluginRuntimeException(cause, "cannot create {}: {}", extensionClass.getName(),
                    e.getCause() != null ? e.getCause().toString() : firstLine(e.getMessage()));
        }
    }

    private synchronized Injector injector() {
        if (injector == null) {
            injector = spiInjector.get();
        }
        return injector;
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
