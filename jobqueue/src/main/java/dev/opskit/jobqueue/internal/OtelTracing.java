package dev.opskit.jobqueue.internal;

import dev.opskit.core.internal.trace.Propagation;
import dev.opskit.core.internal.trace.Traces;
import dev.opskit.jobqueue.Job;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import org.jspecify.annotations.Nullable;

/** {@link Tracing} with the OpenTelemetry API present; loaded only then. */
final class OtelTracing {
    // messaging semantic conventions (stable names of semconv 1.26+)
    private static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("messaging.system");
    private static final AttributeKey<String> OPERATION = AttributeKey.stringKey("messaging.operation.type");
    private static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
    private static final AttributeKey<String> MESSAGE_ID = AttributeKey.stringKey("messaging.message.id");
    private static final AttributeKey<String> WORKER = AttributeKey.stringKey("opskit.worker.id");
    private static final AttributeKey<String> KIND = AttributeKey.stringKey("opskit.job.kind");
    private static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("opskit.job.attempt");
    private static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("opskit.job.outcome");

    private OtelTracing() {
    }

    static Tracing.JobSpan start(Job job, @Nullable String storedContext, String workerId) {
        Context parent = Propagation.extract(Traces.fromJson(storedContext));
        Span span = GlobalOpenTelemetry.getTracer(Tracing.SCOPE).spanBuilder("process " + job.kind())
                .setParent(parent)
                .setSpanKind(SpanKind.CONSUMER)
                .setAttribute(SYSTEM, "opskit")
                .setAttribute(OPERATION, "process")
                .setAttribute(DESTINATION, job.queue())
                .setAttribute(MESSAGE_ID, String.valueOf(job.id()))
                .setAttribute(WORKER, workerId)
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
}
