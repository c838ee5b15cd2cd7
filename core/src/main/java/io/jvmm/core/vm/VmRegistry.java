package io.jvmm.core.vm;

import io.jvmm.spi.config.ConfigException;
import io.jvmm.spi.lifecycle.Pausable;
import io.jvmm.spi.pci.PciBus;
import io.jvmm.spi.vmstate.VmStateful;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What machine and devices register while the VM is built: buses, state, pausables. */
final class VmRegistry {
    private final Map<String, PciBus> buses = new LinkedHashMap<>();
    private final Map<String, StateEntry> states = new LinkedHashMap<>();
    private final List<Pausable> pausables = new ArrayList<>();

    synchronized void registerPciBus(PciBus bus) {
        if (buses.containsKey(bus.id())) {
            throw new ConfigException("a bus with id '" + bus.id() + "' exists already");
        }
        buses.put(bus.id(), bus);
    }

    synchronized Optional<PciBus> pciBus(String id) {
        return Optional.ofNullable(buses.get(id));
    }

    synchronized List<String> busIds() {
        return List.copyOf(buses.keySet());
    }

    synchronized void registerState(String instanceId, VmStateful state) {
        if (instanceId == null || instanceId.isBlank()) {
            throw new IllegalArgumentException("state instance id must not be empty");
        }
        if (states.containsKey(instanceId)) {
            throw new IllegalStateException("state instance id '" + instanceId + "' registered twice; migration"
                    + " needs each one unique");
        }
        states.put(instanceId, new StateEntry(instanceId, state));
    }

    synchronized List<StateEntry> stateEntries() {
        return List.copyOf(states.values());
    }

    synchronized void registerPausable(Pausable p) {
        pausables.add(p);
    }

    synchronized List<Pausable> pausables() {
        return List.copyOf(pausables);
    }
}
