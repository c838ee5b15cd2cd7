package io.jvmm.core.vmstate;

import java.util.Objects;

/**
 * The saved state of one {@code VmStateful}: its description's name and version, the instance id it
 * was registered under, the encoded fields, and the host descriptors its fd fields refer to (by
 * index). {@code local} says the section was saved for a local migration (descriptors allowed).
 * Descriptors travel out of band; {@code fds} are owned by whoever holds this record on the
 * loading side until a loader claims them.
 */
public record SavedSection(String name, String instanceId, int version, boolean local, byte[] payload, int[] fds) {
    public SavedSection {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(payload, "payload");
        fds = fds == null ? new int[0] : fds;
    }

    /** How the section is named in errors: {@code 'virtio-net' (instance 'net0')}. */
    public String label() {
        return "'" + name + "' (instance '" + instanceId + "')";
    }
}
