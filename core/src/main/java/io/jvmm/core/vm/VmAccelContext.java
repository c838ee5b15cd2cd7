package io.jvmm.core.vm;

import io.jvmm.spi.accel.AccelContext;
import io.jvmm.spi.clock.ClockControl;
import java.util.concurrent.locks.Lock;
import java.util.function.Consumer;

/** What an accelerator gets: the host services, the clock's controls and the device lock. */
final class VmAccelContext extends VmHostServices implements AccelContext {
    private final Lock deviceLock;
    private final Consumer<String> shutdown;

    VmAccelContext(VmHostServices services, Lock deviceLock, Consumer<String> shutdown) {
        super(services);
        this.deviceLock = deviceLock;
        this.shutdown = shutdown;
    }

    @Override
    public ClockControl clockControl() {
        return clock;
    }

    @Override
    public Lock deviceLock() {
        return deviceLock;
    }

    @Override
    public void requestShutdown(String reason) {
        shutdown.accept(reason);
    }
}
