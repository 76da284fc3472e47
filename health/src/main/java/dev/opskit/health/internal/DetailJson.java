package dev.opskit.health.internal;

import dev.opskit.core.internal.json.JsonWriter;
import java.util.Map;

/** Writes health-check detail values with health's size caps. Not part of the API. */
public final class DetailJson {
    /** Maps, iterables and arrays are written as JSON only while the writer is shallower than this. */
    private static final int MAX_NESTING = 6;

    private DetailJson() {
    }

    /**
     * Writes a detail value: strings, numbers and booleans as themselves, maps as objects, iterables
     * and arrays of objects as arrays (while the writer is less than {@value #MAX_NESTING} levels
     * deep), anything else as its {@code toString()}. Strings longer than {@code maxString}
     * characters are cut with an ellipsis.
     */
    public static JsonWriter any(JsonWriter w, Object value, int maxString) {
        if (value == null) {
            return w.nullValue();
        }
        if (value instanceof Boolean b) {
            return w.value(b.booleanValue());
        }
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            return w.value(((Number) value).longValue());
        }
        if (value instanceof Number n) {
            if (value instanceof Double || value instanceof Float) {
                return w.value(n.doubleValue());
            }
            return w.value(cut(n.toString(), maxString));
        }
        boolean room = w.depth() < MAX_NESTING;
        if (room && value instanceof Map<?, ?> map) {
            w.beginObject();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                w.name(cut(String.valueOf(e.getKey()), maxString));
                any(w, e.getValue(), maxString);
            }
            return w.endObject();
        }
        if (room && value instanceof Iterable<?> it) {
            w.beginArray();
            for (Object o : it) {
                any(w, o, maxString);
            }
            return w.endArray();
        }
        if (room && value instanceof Object[] array) {
            w.beginArray();
            for (Object o : array) {
                any(w, o, maxString);
            }
            return w.endArray();
        }
        return w.value(cut(String.valueOf(value), maxString));
    }

    private static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, Math.max(0, max - 1)) + "…";
    }
}
