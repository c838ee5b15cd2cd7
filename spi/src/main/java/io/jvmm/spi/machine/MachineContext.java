package io.jvmm.spi.machine;

import io.jvmm.spi.device.HostServices;

/** What a machine type gets to build its board: the host services every device gets. */
public interface MachineContext extends HostServices {
}
