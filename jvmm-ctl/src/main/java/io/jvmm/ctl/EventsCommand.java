package io.jvmm.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * {@code events}: prints each QMP event as it arrives, until Ctrl-C, until the VMM closes the connection, or, for
 * scripts, until {@code count} events or an event named {@code until} were printed.
 *
 * @param count stop after this many events; 0 for no limit
 * @param until stop after the first event with this name; null for none
 */
public record EventsCommand(int count, String until) implements CtlCommand {
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS").withZone(ZoneOffset.UTC);
    /** How often the wait wakes up; only matters for noticing a closed connection promptly. */
    private static final Duration WAKE_UP = Duration.ofSeconds(1);

    @Override
    public ExitCode run(QmpClient qmp, Output out) {
        int printed = 0;
        try {
            while (count == 0 || printed < count) {
                JsonNode event = qmp.nextEvent(WAKE_UP).orElse(null);
                if (event == null) {
                    continue;
                }
                out.result(event, format(event));
                printed++;
                if (until != null && until.equals(event.path("event").asText())) {
                    break;
                }
            }
        } catch (ConnectionClosedException e) {
            if (until != null || count > 0) {
                throw new ConnectionClosedException(e.getMessage() + " before the awaited event came");
            }
            out.note("connection closed by the VMM after " + printed + " event(s)");
        }
        return ExitCode.OK;
    }

    /** {@code 2026-05-22 13:05:01.123456 MIGRATION {"status":"completed"}} (UTC, from the server's timestamp). */
    static String format(JsonNode event) {
        JsonNode timestamp = event.path("timestamp");
        Instant at = Instant.ofEpochSecond(timestamp.path("seconds").asLong(),
                timestamp.path("microseconds").asLong() * 1000);
        StringBuilder line = new StringBuilder(TIME.format(at)).append(' ').append(event.path("event").asText("?"));
        JsonNode data = event.get("data");
        if (data != null && !data.isEmpty()) {
            line.append(' ').append(Json.compact(data));
        }
        return line.toString();
    }
}
