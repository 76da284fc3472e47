package dev.opskit.jobqueue.internal;

import dev.opskit.core.internal.trace.Traces;
import dev.opskit.jobqueue.Job;
import org.jspecify.annotations.Nullable;

/**
 * OpenTelemetry for the job queue, when the application has {@code opentelemetry-api} on its
 * class path (an optional dependency): the enqueuing code's trace context is stored with the job,
 * and the handler runs in a {@code CONSUMER} span that is its child. Without the API every method
 * is a no-op that touches no OpenTelemetry class. Spans go to {@code GlobalOpenTelemetry}, where
 * the Java agent or the application's SDK set-up registers itself.
 */
public final class Tracing {
    /** The instrumentation scope of the spans. */
    public static final String SCOPE = "dev.opskit.jobqueue";

    private Tracing() {
    }

    /** One job's span; {@link #end} exactly once. */
    public interface JobSpan {
        /** Records how the attempt ended ({@code error} null when it succeeded) and ends the span. */
        void end(Outcome.@Nullable Type outcome, @Nullable Throwable error);
    }

    private static final JobSpan NONE = (outcome, error) -> { };

    /**
     * The current trace context as stored text (the propagator's fields as a JSON object, W3C
     * {@code traceparent} and {@code tracestate} by default); null when there is no valid span
     * or no OpenTelemetry.
     */
    public static @Nullable String capture() {
        return Traces.captureJson();
    }

    /**
     * Starts the span of one attempt of {@code job}, child of {@code storedContext} (from
     * {@link #capture} at enqueue; a root span when null), and makes it current on this thread
     * until {@link JobSpan#end}.
     */
    public static JobSpan start(Job job, @Nullable String storedContext, String workerId) {
        return Traces.AVAILABLE ? OtelTracing.start(job, storedContext, workerId) : NONE;
    }
}
