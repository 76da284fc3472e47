package dev.opskit.deadletter.internal;

import dev.opskit.core.internal.trace.Traces;
import dev.opskit.deadletter.DeadLetter;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * OpenTelemetry for dead letters, when the application has {@code opentelemetry-api} (optional):
 * a letter added inside a span keeps that span's context in its headers ({@code traceparent},
 * {@code tracestate}), and each replay of a letter runs in a span, child of the code that asked for
 * the replay (the caller of {@code replay}, or of {@code replayAll} for a run's background thread)
 * and linked to the trace the letter came from; what the target enqueues continues that span.
 * No-op without the API.
 */
public final class ReplayTracing {
    /** The instrumentation scope of the spans. */
    public static final String SCOPE = "dev.opskit.deadletter";

    private ReplayTracing() {
    }

    /** One replay's span, current on the thread until {@link #end}. */
    public interface ReplaySpan {
        /** Ends the span: {@code outcome} as in {@code ReplayOutcome}, {@code error} when the target failed. */
        void end(String outcome, @Nullable Throwable error);
    }

    private static final ReplaySpan NONE = (outcome, error) -> { };

    /** {@code headers} with the current trace context added, unless they carry one already. */
    public static Map<String, String> withTraceContext(Map<String, String> headers) {
        if (!Traces.AVAILABLE || headers.containsKey("traceparent")) {
            return headers;
        }
        Map<String, String> fields = Traces.capture();
        if (fields.isEmpty()) {
            return headers;
        }
        Map<String, String> out = new LinkedHashMap<>(headers);
        fields.forEach(out::putIfAbsent);
        return out;
    }

    /** Starts the span of one replay of {@code letter}. */
    public static ReplaySpan start(DeadLetter letter, long runId) {
        return Traces.AVAILABLE ? OtelReplayTracing.start(letter, runId) : NONE;
    }

    /** {@code body} running, on another thread, in the current context (a replay-all run's thread). */
    public static Runnable inCurrentContext(Runnable body) {
        return Traces.AVAILABLE ? OtelReplayTracing.wrap(body) : body;
    }
}
