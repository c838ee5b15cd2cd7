package io.jvmm.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/** One line of migration progress from a {@code query-migrate} answer, as a bar (terminal) or as plain text. */
final class MigrationProgress {
    static final int BAR_WIDTH = 24;

    private MigrationProgress() {
    }

    /** {@code [#########---------------]  38%  ram 390.0 MiB of 1.0 GiB, 634.0 MiB left, 880.2 Mbps  active} */
    static String bar(JsonNode info) {
        String status = info.path("status").asText("none");
        JsonNode ram = info.path("ram");
        if (!ram.isObject()) {
            return "[" + "-".repeat(BAR_WIDTH) + "]        " + status;
        }
        int percent = percentDone(info);
        int filled = percent * BAR_WIDTH / 100;
        return "[" + "#".repeat(filled) + "-".repeat(BAR_WIDTH - filled) + "] "
                + String.format(Locale.ROOT, "%3d%%", percent) + "  " + ramFigures(ram) + "  " + status;
    }

    /** {@code migration active: 38% (ram 390.0 MiB of 1.0 GiB, 634.0 MiB left, 880.2 Mbps)} */
    static String plain(JsonNode info) {
        String status = info.path("status").asText("none");
        JsonNode ram = info.path("ram");
        if (!ram.isObject()) {
            return "migration " + status;
        }
        return "migration " + status + ": " + percentDone(info) + "% (" + ramFigures(ram) + ")";
    }

    /**
     * How much of the RAM is through, from what is left rather than what was sent: pages dirtied again are sent
     * again, so "transferred" can exceed "total".
     */
    static int percentDone(JsonNode info) {
        if (info.path("status").asText().equals("completed")) {
            return 100;
        }
        JsonNode ram = info.path("ram");
        long total = ram.path("total").asLong(0);
        long remaining = ram.path("remaining").asLong(0);
        if (total <= 0) {
            return 0;
        }
        long done = Math.max(0, Math.min(total, total - remaining));
        return (int) (done * 100 / total);
    }

    private static String ramFigures(JsonNode ram) {
        return "ram " + ByteSize.format(ram.path("transferred").asLong(0)) + " of "
                + ByteSize.format(ram.path("total").asLong(0)) + ", "
                + ByteSize.format(ram.path("remaining").asLong(0)) + " left, "
                + String.format(Locale.ROOT, "%.1f Mbps", ram.path("mbps").asDouble(0));
    }
}
