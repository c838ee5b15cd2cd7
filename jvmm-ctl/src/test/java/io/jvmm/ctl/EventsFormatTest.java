package io.jvmm.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class EventsFormatTest {

    @Test
    void eventLineHasTheServersTimeInUtcTheNameAndTheData() throws Exception {
        assertEquals("2026-05-22 13:05:01.000042 MIGRATION {\"status\":\"completed\"}",
                EventsCommand.format(Json.parse("{\"event\":\"MIGRATION\",\"data\":{\"status\":"
                        + "\"completed\"},\"timestamp\":{\"seconds\":1779455101,\"microseconds\":42}}")));
        assertEquals("2026-05-22 13:05:01.500000 STOP", EventsCommand.format(Json.parse(
                "{\"event\":\"STOP\",\"timestamp\":{\"seconds\":1779455101,\"microseconds\":500000}}")));
    }
}
