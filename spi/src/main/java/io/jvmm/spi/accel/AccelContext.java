package io.jvmm.spi.accel;

import io.jvmm.spi.clock.ClockControl;
import io.jvmm.spi.device.HostServices;
import java.util.concurrent.locks.Lock;

/** What an accelerator gets: the machine's address spaces and memory, the clock, the device lock. */
public interface AccelContext extends HostServices {

    /** Drives the virtual clock (qtest) or switches it to host time (vCPUs). */
    ClockControl clockControl();

    /**
     * Serializes device register accesses per VM (QEMU's big lock): hold it around every access
     * dispatched into {@link #systemMemory()} or {@link #ioPorts()}.
     */
    Lock deviceLock();

    /** Asks the VMM to shut down (guest poweroff, qtest socket closed). */
    void requestShutdown(String reason);
}
