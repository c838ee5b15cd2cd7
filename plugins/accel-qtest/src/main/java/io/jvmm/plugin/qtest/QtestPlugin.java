package io.jvmm.plugin.qtest;

import io.jvmm.spi.VmmPlugin;
import io.jvmm.spi.accel.AcceleratorFactory;
import java.util.List;
import org.pf4j.Extension;

/** Contributes the {@code qtest} accelerator. */
@Extension
public final class QtestPlugin implements VmmPlugin {
    @Override
    public List<AcceleratorFactory> accelerators() {
        return List.of(new QtestAcceleratorFactory());
    }
}
