package io.jvmm.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class MigrationSummaryTest {

    @Test
    void qemuCompletedMigration() throws Exception {
        // shape of QEMU 7.2's query-migrate after a migration (fields trimmed)
        List<String> lines = MigrationSummary.lines(Json.parse("{\"status\":\"completed\","
                + "\"setup-time\":27,\"downtime\":3,\"total-time\":18,\"ram\":{\"total\":536870912,"
                + "\"transferred\":1180484,\"remaining\":0,\"mbps\":1.229}}"));
        assertEquals(List.of(
                "status:       completed",
                "total-time:   18 ms",
                "setup-time:   27 ms",
                "downtime:     3 ms",
                "ram:          512.0 MiB total, 1.1 MiB transferred, 1.2 Mbps"), lines);
    }

    @Test
    void fieldsThisClientDoesNotKnowAreShownWithTheirUnits() throws Exception {
        List<String> lines = MigrationSummary.lines(Json.parse("{\"status\":\"completed\","
                + "\"total-time\":12,\"switchover\":{\"stop-us\":410,\"fds-sent-ms\":0.25,\"devices\":4},"
                + "\"local-fds\":5,\"expected-downtime\":300}"));
        assertEquals(List.of(
                "status:       completed",
                "total-time:   12 ms",
                "switchover:",
                "  stop-us:      410 us",
                "  fds-sent-ms:  0.25 ms",
                "  devices:      4",
                "local-fds:    5"), lines);
    }

    @Test
    void jvmmSwitchoverBreakdownLinesUpUnderItsLongestName() throws Exception {
        // shape of jvmm's query-migrate after a local migration (figures from a run, fewer fields)
        List<String> lines = MigrationSummary.lines(Json.parse("{\"status\":\"completed\","
                + "\"total-time\":25,\"setup-time\":3,\"downtime\":6,\"x-switchover\":{\"stop-us\":809,"
                + "\"state-sent-us\":1597,\"target-load-us\":4854,\"descriptors\":5}}"));
        assertEquals(List.of(
                "status:       completed",
                "total-time:   25 ms",
                "setup-time:   3 ms",
                "downtime:     6 ms",
                "x-switchover:",
                "  stop-us:         809 us",
                "  state-sent-us:   1597 us",
                "  target-load-us:  4854 us",
                "  descriptors:     5"), lines);
    }

    @Test
    void failureEndsWithTheServersReason() throws Exception {
        List<String> lines = MigrationSummary.lines(Json.parse(
                "{\"status\":\"failed\",\"error-desc\":\"Failed to connect to '/tmp/m.sock'\"}"));
        assertEquals(List.of("status:       failed", "error:        Failed to connect to '/tmp/m.sock'"), lines);
    }
}
