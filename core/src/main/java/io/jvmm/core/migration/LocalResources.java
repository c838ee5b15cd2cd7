package io.jvmm.core.migration;

import io.jvmm.core.migration.ControlRecords.BackendOffer;
import io.jvmm.core.migration.ControlRecords.OptIn;
import io.jvmm.spi.migration.LocalMigrationOptIn;
import io.jvmm.spi.net.LocalMigratable;
import io.jvmm.spi.net.NetBackend;
import io.jvmm.spi.vmstate.VmStateful;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The local-migration view of one VM: which devices opted in (local-migration=on), which backends can
 * hand over descriptors or wait for them, and which registered state belongs to which backend.
 */
final class LocalResources {
    private final MigrationHost host;
    private final Map<VmStateful, String> backendOfState = new IdentityHashMap<>();

    LocalResources(MigrationHost host) {
        this.host = host;
        for (NetBackend b : host.netBackends()) {
            b.migrationState().ifPresent(s -> backendOfState.put(s, b.id()));
        }
    }

    /** The backend id whose state this is, if it is a backend's. */
    Optional<String> backendOf(VmStateful state) {
        return Optional.ofNullable(backendOfState.get(state));
    }

    List<OptIn> optIns() {
        List<OptIn> out = new ArrayList<>();
        for (MigrationHost.StateEntry e : host.states()) {
            if (e.state() instanceof LocalMigrationOptIn o) {
                out.add(new OptIn(e.instanceId(), o.backendId(), o.localMigrationEnabled()));
            }
        }
        return out;
    }

    /** True if some device using {@code backendId} has local-migration=on (and none has it off). */
    boolean optedIn(String backendId) {
        boolean any = false;
        for (OptIn o : optIns()) {
            if (o.backendId().equals(backendId)) {
                if (!o.enabled()) {
                    return false;
                }
                any = true;
            }
        }
        return any;
    }

    /** Source side: backends that can hand their descriptors over, opted in by their device. */
    List<BackendOffer> offers() {
        List<BackendOffer> out = new ArrayList<>();
        for (NetBackend b : host.netBackends()) {
            Optional<LocalMigratable> lm = b.localMigration();
            if (lm.isPresent() && !lm.get().waitingForDescriptors() && optedIn(b.id())) {
                out.add(new BackendOffer(b.id(), lm.get().descriptorCount()));
            }
        }
        return out;
    }

    /** Target side: backends started with incoming-fds=on, by id, with the descriptor count they expect. */
    Map<String, Integer> waiting() {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (NetBackend b : host.netBackends()) {
            b.localMigration().filter(LocalMigratable::waitingForDescriptors)
                    .ifPresent(lm -> out.put(b.id(), lm.descriptorCount()));
        }
        return out;
    }

    Optional<LocalMigratable> localMigratable(String backendId) {
        return host.netBackends().stream().filter(b -> b.id().equals(backendId)).findFirst()
                .flatMap(NetBackend::localMigration);
    }
}
