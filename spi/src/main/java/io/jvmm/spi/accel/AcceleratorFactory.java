package io.jvmm.spi.accel;

import io.jvmm.spi.config.Named;
import io.jvmm.spi.config.Properties;

/** Creates an accelerator; {@link #name()} is the {@code -accel} name ({@code qtest}, {@code kvm}). */
public interface AcceleratorFactory extends Named {

    Accelerator create(AccelContext context, Properties properties);
}
