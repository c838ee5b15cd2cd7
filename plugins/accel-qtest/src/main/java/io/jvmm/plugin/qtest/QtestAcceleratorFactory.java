package io.jvmm.plugin.qtest;

import io.jvmm.spi.accel.AccelContext;
import io.jvmm.spi.accel.Accelerator;
import io.jvmm.spi.accel.AcceleratorFactory;
import io.jvmm.spi.config.ConfigException;
import io.jvmm.spi.config.Properties;
import io.jvmm.spi.config.PropertySpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * {@code -accel qtest} / {@code -qtest unix:PATH [-qtest-log FILE|none]} / YAML
 * {@code accel: {type: qtest, socket: unix:PATH, log: FILE}}.
 */
public final class QtestAcceleratorFactory implements AcceleratorFactory {

    @Override
    public String name() {
        return "qtest";
    }

    @Override
    public String description() {
        return "no vCPU: a test process drives the guest over QEMU's qtest protocol (connects to socket)";
    }

    @Override
    public List<PropertySpec> properties() {
        return List.of(
                PropertySpec.string("socket", null, "unix:PATH of the socket the test listens on (jvmm connects to it)")
                        .asRequired(),
                PropertySpec.string("log", null, "FILE to log every request and reply to, or none"));
    }

    @Override
    public Accelerator create(AccelContext context, Properties properties) {
        Path socket = socketPath(properties.string("socket"));
        Optional<Path> log = properties.optionalString("log").filter(l -> !l.equals("none") && !l.isEmpty()).map(Path::of);
        return new QtestAccelerator(context, socket, log);
    }

    static Path socketPath(String spec) {
        String path = spec.startsWith("unix:") ? spec.substring(5) : spec;
        int comma = path.indexOf(',');
        if (comma >= 0) {
            throw new ConfigException("qtest socket '" + spec + "': options after the path are not supported "
                    + "(jvmm connects as a client, as QEMU does for -qtest unix:PATH)");
        }
        if (path.isEmpty() || spec.contains(":") && !spec.startsWith("unix:")) {
            throw new ConfigException("qtest socket '" + spec + "' must be unix:PATH");
        }
        return Path.of(path);
    }
}
