package io.jvmm.core.qmp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.jvmm.core.event.EventBus;
import io.jvmm.core.plugin.JvmmVersion;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** QMP's JSON messages: greeting, replies, errors and events, built and parsed in one place. */
public final class QmpJson {
    /** The QEMU version jvmm's QMP claims to speak (the commands and shapes follow QEMU 7.2). */
    public static final Map<String, Object> QEMU_VERSION = ordered("micro", 0, "minor", 2, "major", 7);

    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
            .enable(JsonReadFeature.ALLOW_SINGLE_QUOTES) // QEMU's parser accepts 'single-quoted' strings
            .build();

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(1024).build());
    }

    private QmpJson() {
    }

    /** The greeting every client gets first; the same for the life of the process. */
    public static String greeting() {
        return Greeting.TEXT;
    }

    private static final class Greeting {
        static final String TEXT = write(Map.of("QMP", ordered("version", version(), "capabilities", List.of())));
    }

    public static Map<String, Object> version() {
        return ordered("qemu", QEMU_VERSION, "package", "jvmm " + JvmmVersion.VERSION);
    }

    static String reply(Object result, Object id) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("return", result == null ? Map.of() : result);
        if (id != null) {
            m.put("id", id);
        }
        return write(m);
    }

    static String error(String errorClass, String desc, Object id) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", ordered("class", errorClass, "desc", desc));
        if (id != null) {
            m.put("id", id);
        }
        return write(m);
    }

    static String event(EventBus.Event e) {
        Map<String, Object> m = new LinkedHashMap<>();
        Instant t = e.timestamp();
        m.put("timestamp", ordered("seconds", t.getEpochSecond(), "microseconds", t.getNano() / 1000));
        m.put("event", e.name());
        if (!e.data().isEmpty()) {
            m.put("data", e.data());
        }
        return write(m);
    }

    static Object parse(String text) throws JsonProcessingException {
        return MAPPER.readValue(text, Object.class);
    }

    static String write(Object o) {
        try {
            return MAPPER.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize QMP message: " + e.getOriginalMessage(), e);
        }
    }

    static Map<String, Object> ordered(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
