package io.jvmm.machine.q35;

import java.util.List;
import java.util.Map;

/**
 * The q35 versions jvmm offers. {@code pc-q35-7.2} is QEMU 7.2's q35 as the guest sees it (checked
 * by the conformance tests). {@code pc-q35-7.1} is the same board for guests started by an older
 * jvmm: its compat list switches off what was added since, so a migration stream from or to such a
 * VM keeps its shape. Add a new version at the top and move what it changes into the previous
 * version's compat list, never the other way round.
 */
public final class Q35MachineTypes {
    private Q35MachineTypes() {
    }

    public static final List<Q35MachineType> ALL = List.of(
            new Q35MachineType(7, 2, true, Map.of()),
            // local migration of the NIC's backend (the seed's series) arrived with 7.2 in jvmm
            new Q35MachineType(7, 1, false, Map.of("virtio-net-pci", Map.of("local-migration", "off"))));
}
