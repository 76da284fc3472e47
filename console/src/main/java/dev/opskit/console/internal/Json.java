package dev.opskit.console.internal;

import dev.opskit.core.internal.json.JsonText;
import dev.opskit.core.internal.json.JsonWriter;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Small additions to core's {@link JsonWriter}: optional values, instants, and stored JSON text embedded as JSON. */
final class Json {
    private Json() {
    }

    static JsonWriter field(JsonWriter w, String name, @Nullable String value) {
        return w.name(name).value(value);
    }

    static JsonWriter field(JsonWriter w, String name, @Nullable Instant value) {
        return value == null ? w.name(name).nullValue() : w.name(name).value(value.toString());
    }

    static JsonWriter field(JsonWriter w, String name, @Nullable Long value) {
        return value == null ? w.name(name).nullValue() : w.name(name).value(value.longValue());
    }

    /** Seconds with millisecond precision, or null. */
    static JsonWriter seconds(JsonWriter w, String name, @Nullable Duration value) {
        return value == null ? w.name(name).nullValue() : w.name(name).value(value.toMillis() / 1000.0);
    }

    /**
     * Writes JSON text that the database stored ({@code jsonb}) as a JSON value; text that does not
     * parse (it should never happen) is written as a string, so the answer stays valid JSON.
     */
    static JsonWriter embedded(JsonWriter w, String name, @Nullable String jsonText) {
        w.name(name);
        if (jsonText == null) {
            return w.nullValue();
        }
        Object parsed;
        try {
            parsed = JsonText.parse(jsonText);
        } catch (IllegalArgumentException e) {
            return w.value(jsonText);
        }
        return value(w, parsed);
    }

    /** Stored JSON text that should be an array, as a list; empty when it is not one. */
    static List<?> array(@Nullable String jsonText) {
        if (jsonText == null) {
            return List.of();
        }
        try {
            return JsonText.parse(jsonText) instanceof List<?> list ? list : List.of();
        } catch (IllegalArgumentException e) {
            return List.of();
        }
    }

    private static JsonWriter value(JsonWriter w, @Nullable Object v) {
        if (v == null) {
            return w.nullValue();
        }
        if (v instanceof Map<?, ?> map) {
            w.beginObject();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                w.name(String.valueOf(e.getKey()));
                value(w, e.getValue());
            }
            return w.endObject();
        }
        if (v instanceof List<?> list) {
            w.beginArray();
            for (Object o : list) {
                value(w, o);
            }
            return w.endArray();
        }
        if (v instanceof BigDecimal n) {
            try {
                return w.value(n.longValueExact());
            } catch (ArithmeticException notALong) {
                return w.value(n.doubleValue());
            }
        }
        if (v instanceof Boolean b) {
            return w.value(b.booleanValue());
        }
        return w.value(v.toString());
    }
}
