package io.jvmm.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** jvmmctl's own tree reading and writing (no ObjectMapper) keeps every JSON value QMP sends intact. */
class JsonTest {

    @Test
    void everyKindOfValueSurvivesARoundTrip() throws Exception {
        String text = "{\"s\":\"a\\\"b\\n\",\"i\":-7,\"l\":9007199254740993,\"big\":123456789012345678901234567890,"
                + "\"d\":0.25,\"e\":1.2291441195581547,\"t\":true,\"f\":false,\"n\":null,"
                + "\"a\":[1,[],{}],\"o\":{\"x\":{\"y\":[]}}}";
        JsonNode node = Json.parse(text);
        assertEquals(text, Json.compact(node));
        assertEquals(9007199254740993L, node.path("l").asLong());
        assertTrue(node.path("big").isBigInteger());
        assertEquals(1.2291441195581547, node.path("e").asDouble());
    }

    @Test
    void prettyIsIndentedAndParsesBackToTheSame() throws Exception {
        JsonNode node = Json.parse("{\"qemu\":{\"major\":7,\"minor\":2},\"package\":\"x\"}");
        String pretty = Json.pretty(node);
        assertTrue(pretty.contains("\n  \"qemu\" : {\n    \"major\" : 7,"), pretty);
        assertEquals(node, Json.parse(pretty));
    }

    @Test
    void malformedOrExtraInputIsRefused() {
        assertThrows(JsonProcessingException.class, () -> Json.parse("{\"execute\":"));
        assertThrows(JsonProcessingException.class, () -> Json.parse(""));
        assertThrows(JsonProcessingException.class, () -> Json.parse("{} {}"));
    }
}
