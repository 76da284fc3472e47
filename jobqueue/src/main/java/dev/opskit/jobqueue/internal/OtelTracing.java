package dev.opskit.jobqueue.internal;

import dev.opskit.core.internal.json.JsonText;
import dev.opskit.core.internal.json.JsonWriter;
import dev.opskit.jobqueue.Job;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** {@link Tracing} with the OpenTelemetry API present; loaded only then. */
final class OtelTracing {
    // messaging semantic conventions (stable names of semconv 1.26+)
    private static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("messaging.system");
    private static final AttributeKey<String> OPERATION = AttributeKey.stringKey("messaging.operation.type");
    private static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
    private static final AttributeKey<String> MESSAGE_ID = AttributeKey.stringKey("messaging.message.id");
    private static final AttributeKey<String> CONSUMER = AttributeKey.stringKey("messaging.consumer.group.name");
    private static final AttributeKey<String> KIND = AttributeKey.stringKey("opskit.job.kind");
    private static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("opskit.job.attempt");
    private static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("opskit.job.outcome");

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

    private OtelTracing() {
    }

    static @Nullable String capture() {
        Context current = Context.current();
        if (!Span.fromContext(current).getSpanContext().isValid()) {
            return null; // nothing to continue: do not store empty headers on every job
        }
        Map<String, String> fields = new LinkedHashMap<>();
        otel().getPropagators().getTextMapPropagator().inject(current, fields, (m, k, v) -> {
            if (m != null) {
                m.put(k, v);
            }
        });
        if (fields.isEmpty()) {
            return null;
        }
        JsonWriter w = new JsonWriter().beginObject();
        fields.forEach((k, v) -> w.name(k).value(v));
        return w.endObject().toString();
    }

    static Tracing.JobSpan start(Job job, @Nullable String storedContext, String workerId) {
        OpenTelemetry otel = otel();
        Context parent = Context.root();
        if (storedContext != null) {
            Map<String, String> fields = parse(storedContext);
            if (!fields.isEmpty()) {
                parent = otel.getPropagators().getTextMapPropagator().extract(Context.root(), fields, GETTER);
            }
        }
        Span span = otel.getTracer(Tracing.SCOPE).spanBuilder("process " + job.kind())
                .setParent(parent)
                .setSpanKind(SpanKind.CONSUMER)
                .setAttribute(SYSTEM, "opskit")
                .setAttribute(OPERATION, "process")
                .setAttribute(DESTINATION, job.queue())
                .setAttribute(MESSAGE_ID, String.valueOf(job.id()))
                .setAttribute(CONSUMER, workerId)
                .setAttribute(KIND, job.kind())
                .setAttribute(ATTEMPT, (long) job.attempt())
                .startSpan();
        Scope scope = span.makeCurrent();
        return (outcome, error) -> {
            try {
                if (outcome != null) {
                    span.setAttribute(OUTCOME, outcome.metricTag());
                }
                if (error != null) {
                    span.recordException(error);
                }
                // a retry, a postponement or a hand-back is not the job's failure; only these are
                if (outcome == Outcome.Type.DEAD || outcome == Outcome.Type.RETRY) {
                    span.setStatus(StatusCode.ERROR, error == null ? outcome.metricTag() : String.valueOf(error));
                }
            } finally {
                scope.close();
                span.end();
            }
        };
    }

    /** The stored fields; empty for text that is not a flat JSON object of strings (never fails a job). */
    static Map<String, String> parse(String stored) {
        try {
            Map<String, String> out = new LinkedHashMap<>();
            if (JsonText.parse(stored) instanceof Map<?, ?> m) {
                m.forEach((k, v) -> {
                    if (k instanceof String key && v instanceof String value) {
                        out.put(key, value);
                    }
                });
            }
            return out;
        } catch (RuntimeException e) {
            return Map.of();
        }
    }

    private static OpenTelemetry otel() {
        return GlobalOpenTelemetry.get();
    }
}
