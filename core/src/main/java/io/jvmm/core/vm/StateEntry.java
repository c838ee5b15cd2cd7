package io.jvmm.core.vm;

import io.jvmm.spi.vmstate.VmStateful;

/** One registered piece of migratable state, under its stable instance id (e.g. {@code vnet.1}). */
public record StateEntry(String instanceId, VmStateful state) {
}
