package io.jvmm.core.migration;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Migration parameters (migrate-set-parameters).
 *
 * @param local hand host resources (tap descriptors, a memfd) to a target on the same host instead
 *     of recreating them; needs a unix: URI and {@code local} on both sides
 * @param downtimeLimitMs QEMU's downtime-limit (ms); reported, and the switchover warns when exceeded
 * @param maxBandwidth bytes per second for RAM pages; 0 means unlimited
 */
public record MigrationParameters(boolean local, long downtimeLimitMs, long maxBandwidth) {
    public static final MigrationParameters DEFAULT = new MigrationParameters(false, 300, 0);

    public Map<String, Object> toQmp() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("local", local);
        m.put("downtime-limit", downtimeLimitMs);
        m.put("max-bandwidth", maxBandwidth);
        return m;
    }
}
