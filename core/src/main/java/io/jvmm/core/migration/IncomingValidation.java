package io.jvmm.core.migration;

import io.jvmm.core.migration.ControlRecords.BackendOffer;
import io.jvmm.core.migration.ControlRecords.Hello;
import io.jvmm.core.migration.ControlRecords.OptIn;
import io.jvmm.core.migration.ControlRecords.SectionInfo;
import io.jvmm.spi.memory.RamBackendInfo;
import io.jvmm.spi.vmstate.VmStateDescription;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The target's check of a source's HELLO, done before the source stops: every mismatch here fails the
 * migration while the guest keeps running on the source. Returns the backends that will receive
 * descriptors.
 */
final class IncomingValidation {
    private IncomingValidation() {
    }

    static List<String> check(Hello hello, MigrationHost target, boolean targetLocal, boolean targetIgnoreShared,
            boolean channelCarriesDescriptors) {
        if (hello.local() != targetLocal) {
            throw new MigrationException(hello.local()
                    ? "the source migrates with local=on but this target has local=off (set it with migrate-set-parameters on both sides)"
                    : "this target has local=on but the source did not enable local migration");
        }
        if (hello.local() && !channelCarriesDescriptors) {
            throw new MigrationException("local migration needs a unix: channel that carries descriptors");
        }
        checkRam(hello, target.ramBackend(), targetIgnoreShared);
        checkSections(hello.sections(), target);
        return checkBackends(hello, new LocalResources(target));
    }

    private static void checkRam(Hello hello, RamBackendInfo t, boolean targetIgnoreShared) {
        if (hello.ram().size() != t.size()) {
            throw new MigrationException("RAM size differs: source " + hello.ram().size() + " bytes, target "
                    + t.size() + " bytes (start both with the same -m)");
        }
        switch (hello.ramMode()) {
            case "shared" -> {
                if (!targetIgnoreShared) {
                    throw new MigrationException("the source skips shared RAM (x-ignore-shared) but this target did not"
                            + " enable x-ignore-shared");
                }
                String tp = t.path().orElse("");
                if (!t.shared() || !"file".equals(t.kind()) || !tp.equals(hello.ram().path())) {
                    throw new MigrationException("x-ignore-shared needs the same shared file on both sides: source "
                            + hello.ram().path() + ", target " + (t.shared() ? tp : "private " + t.kind() + " RAM"));
                }
            }
            case "fd" -> {
                if (!"memfd".equals(t.kind())) {
                    throw new MigrationException("the source hands over its memfd RAM but this target's RAM is "
                            + t.kind() + " (use a memfd backend on both sides)");
                }
            }
            default -> {
            }
        }
    }

    private static void checkSections(List<SectionInfo> sections, MigrationHost target) {
        Map<String, VmStateDescription> mine = new HashMap<>();
        for (MigrationHost.StateEntry e : target.states()) {
            mine.put(e.instanceId(), e.state().vmstate());
        }
        Set<String> seen = new HashSet<>();
        for (SectionInfo s : sections) {
            if (!seen.add(s.instanceId())) {
                throw new MigrationException("the source sends section instance '" + s.instanceId() + "' twice");
            }
            VmStateDescription d = mine.get(s.instanceId());
            if (d == null) {
                throw new MigrationException("unknown section '" + s.name() + "' (instance '" + s.instanceId()
                        + "'): this target has no such device (start it with the source's configuration)");
            }
            if (!d.name().equals(s.name())) {
                throw new MigrationException("section instance '" + s.instanceId() + "' is a '" + s.name()
                        + "' on the source but a '" + d.name() + "' here");
            }
            if (s.version() < d.minimumVersion() || s.version() > d.version()) {
                throw new MigrationException("section '" + s.name() + "' (instance '" + s.instanceId() + "') version "
                        + s.version() + " is outside what this target loads (" + d.minimumVersion() + ".."
                        + d.version() + ")");
            }
        }
        for (String id : mine.keySet()) {
            if (!seen.contains(id)) {
                throw new MigrationException("the source sends no state for this target's '" + mine.get(id).name()
                        + "' (instance '" + id + "'): the two configurations differ");
            }
        }
    }

    private static List<String> checkBackends(Hello hello, LocalResources target) {
        Map<String, Boolean> sourceOptIn = new HashMap<>();
        for (OptIn o : hello.optIns()) {
            sourceOptIn.put(o.deviceId(), o.enabled());
        }
        for (OptIn o : target.optIns()) {
            Boolean s = sourceOptIn.get(o.deviceId());
            if (hello.local() && s != null && s != o.enabled()) {
                throw new MigrationException("device '" + o.deviceId() + "' has local-migration=" + (s ? "on" : "off")
                        + " on the source but " + (o.enabled() ? "on" : "off") + " on the target");
            }
        }
        Map<String, Integer> waiting = target.waiting();
        Map<String, Integer> offered = new HashMap<>();
        for (BackendOffer o : hello.offers()) {
            offered.put(o.backendId(), o.descriptors());
        }
        List<String> handedOver = new ArrayList<>();
        for (Map.Entry<String, Integer> w : waiting.entrySet()) {
            String id = w.getKey();
            if (!hello.local()) {
                throw new MigrationException("netdev '" + id + "' waits for descriptors (incoming-fds=on) but the source"
                        + " did not enable local migration");
            }
            Integer count = offered.get(id);
            if (count == null) {
                throw new MigrationException("netdev '" + id + "' waits for descriptors (incoming-fds=on) but the source"
                        + " does not hand them over (its device needs local-migration=on and its netdev must be a tap"
                        + " with open queues)");
            }
            if (!target.optedIn(id)) {
                throw new MigrationException("netdev '" + id + "' waits for descriptors but its device on the target"
                        + " does not have local-migration=on");
            }
            if (count.intValue() != w.getValue()) {
                throw new MigrationException("netdev '" + id + "' has " + count + " queues on the source but "
                        + w.getValue() + " on the target (queues= must match)");
            }
            handedOver.add(id);
        }
        for (BackendOffer o : hello.offers()) {
            if (!waiting.containsKey(o.backendId())) {
                throw new MigrationException("the source hands over netdev '" + o.backendId() + "' ("
                        + o.descriptors() + " descriptors) but this target's netdev does not wait for them (start the"
                        + " target's tap with incoming-fds=on)");
            }
        }
        return handedOver;
    }
}
