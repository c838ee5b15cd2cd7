package io.jvmm.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The lines printed when a migration has ended: status and the server's timings, then every other figure the
 * server reports (a switchover breakdown, for one), so that new fields show up without a jvmmctl release.
 */
final class MigrationSummary {
    private static final List<String> TIMINGS = List.of("total-time", "setup-time", "downtime");
    /** Shown in their own way above, or meaningful only while a migration runs. */
    private static final Set<String> NOT_REPEATED = Set.of("status", "total-time", "setup-time", "downtime", "ram",
            "error-desc", "expected-downtime");
    /** Top-level labels line up at least this far, so the usual summary looks the same on every server. */
    private static final int MIN_LABEL_WIDTH = 12;

    private MigrationSummary() {
    }

    static List<String> lines(JsonNode info) {
        List<String> extra = new ArrayList<>();
        info.fieldNames().forEachRemaining(name -> {
            if (!NOT_REPEATED.contains(name)) {
                extra.add(name);
            }
        });
        int width = MIN_LABEL_WIDTH;
        for (String name : extra) {
            if (!info.get(name).isObject()) { // an object's name is a heading, not a label to align
                width = Math.max(width, name.length() + 1);
            }
        }
        List<String> lines = new ArrayList<>();
        lines.add(line("status", info.path("status").asText("unknown"), width));
        for (String timing : TIMINGS) {
            if (info.has(timing)) {
                lines.add(line(timing, value(timing, info.get(timing)), width));
            }
        }
        JsonNode ram = info.path("ram");
        if (ram.isObject()) {
            lines.add(line("ram", ByteSize.format(ram.path("total").asLong(0)) + " total, "
                    + ByteSize.format(ram.path("transferred").asLong(0)) + " transferred, "
                    + String.format(Locale.ROOT, "%.1f Mbps", ram.path("mbps").asDouble(0)), width));
        }
        for (String name : extra) {
            addField(lines, "", name, info.get(name), width);
        }
        if (info.has("error-desc")) {
            lines.add(line("error", info.get("error-desc").asText(), width));
        }
        return lines;
    }

    /** A field, or an object's fields indented under its name, each level aligned on its own longest label. */
    private static void addField(List<String> lines, String indent, String key, JsonNode value, int width) {
        if (!value.isObject()) {
            lines.add(indent + line(key, value(key, value), width));
            return;
        }
        lines.add(indent + key + ":");
        int childWidth = 0;
        for (Map.Entry<String, JsonNode> field : value.properties()) {
            childWidth = Math.max(childWidth, field.getKey().length() + 1);
        }
        for (Map.Entry<String, JsonNode> field : value.properties()) {
            addField(lines, indent + "  ", field.getKey(), field.getValue(), childWidth);
        }
    }

    /** {@code label:} padded to {@code width} + 1 columns, then the value. */
    private static String line(String label, String value, int width) {
        String padded = label + ":";
        return padded + " ".repeat(Math.max(1, width + 2 - padded.length())) + value;
    }

    /**
     * A value with the unit its name implies. QMP's migration times ({@code total-time}, {@code downtime}, ...) are
     * milliseconds; names ending in -ms, -us or -ns carry their unit.
     */
    static String value(String key, JsonNode value) {
        if (!value.isNumber()) {
            return value.isTextual() ? value.asText() : Json.compact(value);
        }
        String number = value.isIntegralNumber() ? value.asText()
                : String.format(Locale.ROOT, "%.3f", value.asDouble()).replaceAll("0+$", "").replaceAll("\\.$", "");
        if (key.endsWith("-time") || key.endsWith("downtime") || key.endsWith("-ms")) {
            return number + " ms";
        }
        if (key.endsWith("-us")) {
            return number + " us";
        }
        if (key.endsWith("-ns")) {
            return number + " ns";
        }
        if (key.endsWith("-bytes")) {
            return ByteSize.format(value.asLong());
        }
        return number;
    }
}
