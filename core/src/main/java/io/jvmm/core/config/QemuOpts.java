package io.jvmm.core.config;

import io.jvmm.spi.config.ConfigException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * QEMU's option syntax: {@code [IMPLIED,]key=value,key=value}, where {@code ,,} is a literal comma,
 * a bare {@code key} means {@code key=on}, and the first item without {@code =} is the implied key
 * (the driver of {@code -device}, the type of {@code -netdev}).
 */
final class QemuOpts {
    private QemuOpts() {
    }

    /**
     * @param impliedKey the key the first bare item sets, or null when there is none
     */
    static LinkedHashMap<String, String> parse(String text, String impliedKey) {
        LinkedHashMap<String, String> out = new LinkedHashMap<>();
        int i = 0;
        boolean first = true;
        while (i <= text.length()) {
            StringBuilder item = new StringBuilder();
            while (i < text.length()) {
                char c = text.charAt(i);
                if (c == ',') {
                    if (i + 1 < text.length() && text.charAt(i + 1) == ',') {
                        item.append(',');
                        i += 2;
                        continue;
                    }
                    break;
                }
                item.append(c);
                i++;
            }
            i++;
            String it = item.toString();
            int eq = it.indexOf('=');
            String key;
            String value;
            if (eq < 0 && first && impliedKey != null) {
                key = impliedKey;
                value = it;
            } else if (eq < 0) {
                if (it.isEmpty()) {
                    if (i > text.length()) {
                        break;
                    }
                    throw new ConfigException("empty item in '" + text + "'");
                }
                key = it;
                value = "on";
            } else {
                key = it.substring(0, eq);
                value = it.substring(eq + 1);
            }
            if (key.isEmpty()) {
                throw new ConfigException("missing key before '=' in '" + text + "'");
            }
            if (out.containsKey(key)) {
                throw new ConfigException("'" + key + "' given twice in '" + text + "'");
            }
            out.put(key, value);
            first = false;
        }
        return out;
    }

    static Map<String, Object> asRaw(Map<String, String> m) {
        return new LinkedHashMap<>(m);
    }
}
