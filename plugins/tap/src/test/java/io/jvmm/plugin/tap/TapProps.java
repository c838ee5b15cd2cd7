package io.jvmm.plugin.tap;

import io.jvmm.spi.config.Properties;
import io.jvmm.spi.net.NetBackendContext;
import java.util.LinkedHashMap;
import java.util.Map;

/** Property maps as the host hands them to the factory (declared defaults filled in). */
final class TapProps {
    private TapProps() {
    }

    static Properties of(Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("vhost", false);
        m.put("incoming-fds", false);
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return Properties.of(m);
    }

    static final NetBackendContext RUNNING = () -> false;
    static final NetBackendContext INCOMING = () -> true;

    /** Creates a backend through the factory, as the host does. */
    static TapBackend create(String id, NetBackendContext context, Object... keyValues) {
        return (TapBackend) new TapNetBackendFactory().create(id, of(keyValues), context);
    }
}
