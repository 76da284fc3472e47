package dev.opskit.deadletter.internal;

import dev.opskit.core.internal.trace.Propagation;
import dev.opskit.deadletter.DeadLetter;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.util.Map;

/** {@link ReplayTracing} with the OpenTelemetry API present; loaded only then. */
final class OtelReplayTracing {
    private static final AttributeKey<Long> ID = AttributeKey.longKey("opskit.deadletter.id");
    private static final AttributeKey<String> SOURCE = AttributeKey.stringKey("opskit.deadletter.source");
    private static final AttributeKey<String> KIND = AttributeKey.stringKey("opskit.deadletter.kind");
    private static final AttributeKey<Long> RUN = AttributeKey.longKey("opskit.deadletter.replay_run");
    private static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("opskit.deadletter.replay_outcome");

    private OtelReplayTracing() {
    }

    static ReplayTracing.ReplaySpan start(DeadLetter letter, long runId) {
        SpanBuilder b = GlobalOpenTelemetry.getTracer(ReplayTracing.SCOPE).spanBuilder("replay " + letter.source())
                .setAttribute(ID, letter.id())
                .setAttribute(SOURCE, letter.source())
                .setAttribute(KIND, letter.kind());
        if (runId > 0) {
            b.setAttribute(RUN, runId);
        }
        Map<String, String> headers = letter.headers();
        SpanContext origin = Span.fromContext(Propagation.extract(headers)).getSpanContext();
        if (origin.isValid()) {
            b.addLink(origin); // the trace in which the work failed
        }
        Span span = b.startSpan(); // parent: the current context, the operator's request or the run's caller
        Scope scope = span.makeCurrent();
        return (outcome, error) -> {
            try {
                span.setAttribute(OUTCOME, outcome);
                if (error != null) {
                    span.recordException(error);
                    span.setStatus(StatusCode.ERROR, String.valueOf(error));
                }
            } finally {
                scope.close();
                span.end();
            }
        };
    }

    static Runnable wrap(Runnable body) {
        return Context.current().wrap(body);
    }
}
