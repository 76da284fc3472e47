package dev.opskit.deadletter.internal;

import dev.opskit.core.internal.json.JsonText;
import dev.opskit.core.internal.json.JsonWriter;
import java.util.LinkedHashMap;
import java.util.Map;

/** Headers (a map of strings) as a JSON object and back, on core's {@link JsonText}. */
public final class HeadersJson {
    private HeadersJson() {
    }

    /** Parses a JSON object whose values are all strings (headers); other values become their text. */
    public static Map<String, String> parseStringMap(String text) {
        Object v = JsonText.parse(text);
        if (!(v instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException("expected a JSON object but found " + text);
        }
        Map<String, String> out = new LinkedHashMap<>();
        m.forEach((k, val) -> out.put((String) k, val == null ? null : String.valueOf(val)));
        return out;
    }

    /** {@code map} as a JSON object of strings. */
    public static String stringMap(Map<String, String> map) {
        JsonWriter w = new JsonWriter().beginObject();
        map.forEach((k, v) -> w.name(k).value(v));
        return w.endObject().toString();
    }
}
