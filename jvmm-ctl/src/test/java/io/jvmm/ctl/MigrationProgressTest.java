package io.jvmm.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class MigrationProgressTest {
    private static JsonNode parse(String json) throws Exception {
        return Json.parse(json);
    }

    @Test
    void barShowsTheShareOfRamNoLongerRemaining() throws Exception {
        // 1 GiB total, 640 MiB left: 37.5% done although more bytes than that may have been sent
        JsonNode info = parse("{\"status\":\"active\",\"ram\":{\"total\":1073741824,\"remaining\":671088640,"
                + "\"transferred\":408944640,\"mbps\":880.25}}");
        assertEquals("[########----------------]  37%  ram 390.0 MiB of 1.0 GiB, 640.0 MiB left, 880.3 Mbps  active",
                MigrationProgress.bar(info));
        assertEquals("migration active: 37% (ram 390.0 MiB of 1.0 GiB, 640.0 MiB left, 880.3 Mbps)",
                MigrationProgress.plain(info));
    }

    @Test
    void completedIsAlwaysAFullBar() throws Exception {
        JsonNode info = parse("{\"status\":\"completed\",\"ram\":{\"total\":0,\"remaining\":0,\"transferred\":0}}");
        assertEquals(100, MigrationProgress.percentDone(info));
        assertEquals("[########################] 100%  ram 0 B of 0 B, 0 B left, 0.0 Mbps  completed",
                MigrationProgress.bar(info));
    }

    @Test
    void beforeRamFiguresExistOnlyTheStatusIsShown() throws Exception {
        JsonNode info = parse("{\"status\":\"setup\"}");
        assertEquals("[------------------------]        setup", MigrationProgress.bar(info));
        assertEquals("migration setup", MigrationProgress.plain(info));
    }

    @Test
    void resentPagesNeverPushThePercentageOutOfRange() throws Exception {
        JsonNode info = parse("{\"status\":\"active\",\"ram\":{\"total\":100,\"remaining\":250,\"transferred\":900}}");
        assertEquals(0, MigrationProgress.percentDone(info));
    }
}
