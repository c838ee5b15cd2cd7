package io.jvmm.spi.device;

import io.jvmm.spi.net.NetBackend;
import java.util.Optional;

/** What a device gets when it is created: the host services plus its own identity and peers. */
public interface DeviceContext extends HostServices {

    /** This device's id (given or generated). */
    String id();

    /** A netdev by id ({@code netdev=}); empty if none has that id. */
    Optional<NetBackend> netBackend(String id);

    /** True when this process was started for an incoming migration ({@code -incoming}). */
    boolean incomingMigration();
}
