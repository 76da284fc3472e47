package dev.opskit.core.internal.trace;

import dev.opskit.core.internal.json.JsonText;
import dev.opskit.core.internal.json.JsonWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Whether OpenTelemetry is here, and the current trace context as fields to store (the
 * propagator's, W3C {@code traceparent} and {@code tracestate} by default). Safe to call without
 * {@code opentelemetry-api}: then nothing is ever captured. Spans go to {@code GlobalOpenTelemetry},
 * where the Java agent or the application's SDK set-up registers itself.
 */
public final class Traces {
    /** True when {@code opentelemetry-api} is on the class path; only then may {@link Propagation} be called. */
    public static final boolean AVAILABLE = present("io.opentelemetry.api.GlobalOpenTelemetry");

    private Traces() {
    }

    private static boolean present(String className) {
        try {
            Class.forName(className, false, Traces.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** The current context's fields; empty without a valid current span or without OpenTelemetry. */
    public static Map<String, String> capture() {
        return AVAILABLE ? Propagation.inject() : Map.of();
    }

    /** {@link #capture} as a JSON object, null when empty (so nothing is stored outside a span). */
    public static @Nullable String captureJson() {
        Map<String, String> fields = capture();
        if (fields.isEmpty()) {
            return null;
        }
        JsonWriter w = new JsonWriter().beginObject();
        fields.forEach((k, v) -> w.name(k).value(v));
        return w.endObject().toString();
    }

    /** Fields stored by {@link #captureJson}; empty for null or for text that is not a flat object of strings (never fails a job). */
    public static Map<String, String> fromJson(@Nullable String stored) {
        Map<String, String> out = new LinkedHashMap<>();
        if (stored == null) {
            return out;
        }
        try {
            if (JsonText.parse(stored) instanceof Map<?, ?> m) {
                m.forEach((k, v) -> {
                    if (k instanceof String key && v instanceof String value) {
                        out.put(key, value);
                    }
                });
            }
        } catch (RuntimeException e) {
            // not ours, or damaged: start a new trace instead
        }
        return out;
    }
}
