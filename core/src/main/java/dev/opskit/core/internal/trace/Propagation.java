package dev.opskit.core.internal.trace;

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** The OpenTelemetry side of {@link Traces}: call only when {@link Traces#AVAILABLE}. */
public final class Propagation {
    private static final TextMapGetter<Map<String, String>> GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public @Nullable String get(@Nullable Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    private Propagation() {
    }

    static Map<String, String> inject() {
        Context current = Context.current();
        if (!Span.fromContext(current).getSpanContext().isValid()) {
            return Map.of();
        }
        Map<String, String> fields = new LinkedHashMap<>();
        GlobalOpenTelemetry.getPropagators().getTextMapPropagator().inject(current, fields, (m, k, v) -> {
            if (m != null) {
                m.put(k, v);
            }
        });
        return fields;
    }

    /** The context the fields carry, on top of the root context; the root context for no fields. */
    public static Context extract(Map<String, String> fields) {
        if (fields.isEmpty()) {
            return Context.root();
        }
        return GlobalOpenTelemetry.getPropagators().getTextMapPropagator().extract(Context.root(), fields, GETTER);
    }
}
