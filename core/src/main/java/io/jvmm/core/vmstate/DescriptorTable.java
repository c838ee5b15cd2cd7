package io.jvmm.core.vmstate;

import io.jvmm.spi.vmstate.VmStateException;

/**
 * The descriptors that arrived with one section. A loader claims each at most once through an fd
 * field and owns it from then on; whatever nobody claimed is closed by the caller afterwards
 * ({@link #unclaimed()}), so nothing received is ever leaked.
 */
public final class DescriptorTable {
    private final int[] fds;
    private final boolean[] claimed;

    public DescriptorTable(int[] fds) {
        this.fds = fds.clone();
        this.claimed = new boolean[fds.length];
    }

    int claim(int index, String section, String field) {
        if (index >= fds.length) {
            throw new VmStateException("vmstate " + section + ", field '" + field + "': descriptor index " + index
                    + " but only " + fds.length + " descriptors arrived with the section");
        }
        if (claimed[index]) {
            throw new VmStateException("vmstate " + section + ", field '" + field + "': descriptor index " + index
                    + " is claimed twice");
        }
        claimed[index] = true;
        return fds[index];
    }

    /** Descriptors no loader claimed: still owned by the caller, who must close them. */
    public int[] unclaimed() {
        int n = 0;
        for (boolean c : claimed) {
            n += c ? 0 : 1;
        }
        int[] out = new int[n];
        for (int i = 0, j = 0; i < fds.length; i++) {
            if (!claimed[i]) {
                out[j++] = fds[i];
            }
        }
        return out;
    }

    /** Descriptors a loader claimed (owned by the device now). */
    public int[] claimedDescriptors() {
        int n = fds.length - unclaimed().length;
        int[] out = new int[n];
        for (int i = 0, j = 0; i < fds.length; i++) {
            if (claimed[i]) {
                out[j++] = fds[i];
            }
        }
        return out;
    }
}
