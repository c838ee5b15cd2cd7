package io.jvmm.spi.device;

import io.jvmm.spi.config.Named;
import io.jvmm.spi.config.Properties;

/**
 * Creates devices of one type; {@link #name()} is the {@code -device} driver and YAML type. The
 * host handles {@code id} itself (every device has one; generated if not given) and validates the
 * declared properties before calling {@link #create}.
 */
public interface DeviceFactory extends Named {

    Device create(DeviceContext context, Properties properties);
}
