package dev.opskit.jobqueue;

import dev.opskit.core.testing.TestDatabase;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.opskit.jobqueue.WorkerProcessTest.await;
import static org.assertj.core.api.Assertions.assertThat;

/** OpenTelemetry: a job's handler runs in a child span of the code that enqueued it, exported by the SDK's in-memory exporter. */
class TracingTest extends PostgresQueueTestBase {
    @RegisterExtension
    static final OpenTelemetryExtension otel = OpenTelemetryExtension.create(); // registers itself as GlobalOpenTelemetry

    TracingTest(TestDatabase db) {
        super(db);
    }

    private Tracer tracer() {
        return otel.getOpenTelemetry().getTracer("test");
    }

    private SpanData awaitSpan(String name) {
        await("span '" + name + "' exported", () -> otel.getSpans().stream().anyMatch(s -> s.getName().equals(name)));
        return otel.getSpans().stream().filter(s -> s.getName().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void theHandlerRunsInAChildSpanOfTheEnqueuingCodeAndItsOwnEnqueuesContinueTheTrace() throws Exception {
        List<SpanContext> seenByHandler = new CopyOnWriteArrayList<>();
        Span request = tracer().spanBuilder("POST /orders").startSpan();
        long id;
        try (Scope ignored = request.makeCurrent(); Connection c = db.dataSource().getConnection()) {
            c.setAutoCommit(false);
            id = queue.enqueue(c, JobRequest.builder("send-email").queue("emails").payload("{}").build()).jobId();
            c.commit();
        } finally {
            request.end();
        }
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT trace_context FROM opskit.jobs WHERE id = " + id)) {
            rs.next();
            assertThat(rs.getString(1)).as("stored W3C context").contains("\"traceparent\":\"00-" + request.getSpanContext().getTraceId()
                    + "-" + request.getSpanContext().getSpanId() + "-"); // then the trace flags
        }

        Workers w = Workers.builder(queue).queue("emails", 1).pollInterval(Duration.ofMillis(50))
                .handler("send-email", ctx -> {
                    seenByHandler.add(Span.current().getSpanContext());
                    queue.enqueue(JobRequest.builder("audit").queue("emails").payload("{}").build());
                })
                .handler("audit", ctx -> seenByHandler.add(Span.current().getSpanContext()))
                .start();
        try {
            SpanData process = awaitSpan("process send-email");
            SpanData audit = awaitSpan("process audit");

            assertThat(process.getKind()).isEqualTo(SpanKind.CONSUMER);
            assertThat(process.getTraceId()).isEqualTo(request.getSpanContext().getTraceId());
            assertThat(process.getParentSpanId()).as("child of the request that enqueued it").isEqualTo(request.getSpanContext().getSpanId());
            assertThat(process.getAttributes().get(AttributeKey.stringKey("messaging.destination.name"))).isEqualTo("emails");
            assertThat(process.getAttributes().get(AttributeKey.stringKey("messaging.message.id"))).isEqualTo(String.valueOf(id));
            assertThat(process.getAttributes().get(AttributeKey.longKey("opskit.job.attempt"))).isEqualTo(1L);
            assertThat(process.getAttributes().get(AttributeKey.stringKey("opskit.job.outcome"))).isEqualTo("success");
            assertThat(process.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
            assertThat(seenByHandler.get(0).getSpanId()).as("the span is current in the handler").isEqualTo(process.getSpanId());

            assertThat(audit.getTraceId()).as("a job enqueued by a handler continues the trace").isEqualTo(process.getTraceId());
            assertThat(audit.getParentSpanId()).isEqualTo(process.getSpanId());
        } finally {
            w.close();
        }
    }

    @Test
    void aFailedAttemptIsAnErrorSpanWithTheExceptionAndAJobEnqueuedOutsideASpanStartsANewTrace() throws Exception {
        long id = queue.enqueue(JobRequest.builder("flaky").queue("emails").payload("{}").maxAttempts(2).build()).jobId();
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT trace_context FROM opskit.jobs WHERE id = " + id)) {
            rs.next();
            assertThat(rs.getString(1)).as("nothing stored without a span").isNull();
        }
        Workers w = Workers.builder(queue).queue("emails", 1).pollInterval(Duration.ofMillis(50))
                .backoff(attempt -> Duration.ZERO)
                .handler("flaky", ctx -> {
                    throw new IllegalStateException("provider said no");
                })
                .start();
        try {
            await("two attempts exported", () -> otel.getSpans().stream().filter(s -> s.getName().equals("process flaky")).count() == 2);
            List<SpanData> attempts = otel.getSpans().stream().filter(s -> s.getName().equals("process flaky")).toList();
            for (SpanData a : attempts) {
                assertThat(a.getParentSpanContext().isValid()).as("a root span").isFalse();
                assertThat(a.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
                assertThat(a.getEvents()).anySatisfy(e -> {
                    assertThat(e.getName()).isEqualTo("exception");
                    assertThat(e.getAttributes().get(AttributeKey.stringKey("exception.message"))).isEqualTo("provider said no");
                });
            }
            assertThat(attempts).extracting(a -> a.getAttributes().get(AttributeKey.stringKey("opskit.job.outcome")))
                    .containsExactlyInAnyOrder("retried", "dead");
        } finally {
            w.close();
        }
    }

    @Test
    void aDeadJobsLetterKeepsItsTraceAndItsReplayIsASpanOfTheOperatorLinkedToItThatTheNewJobContinues() throws Exception {
        Span request = tracer().spanBuilder("POST /imports").startSpan();
        try (Scope ignored = request.makeCurrent()) {
            queue.enqueue(JobRequest.builder("import").queue("emails").payload("{}").maxAttempts(1).build());
        } finally {
            request.end();
        }
        boolean[] broken = {true};
        Workers w = Workers.builder(queue).queue("emails", 1).pollInterval(Duration.ofMillis(50))
                .handler("import", ctx -> {
                    if (broken[0]) {
                        throw new IllegalStateException("bad row 7");
                    }
                })
                .start();
        try {
            await("the job is in the dead letters", () -> queue.deadLetters().list(dev.opskit.deadletter.DeadLetterQuery.waiting()).letters().size() == 1);
            dev.opskit.deadletter.DeadLetter letter = queue.deadLetters().list(dev.opskit.deadletter.DeadLetterQuery.waiting()).letters().get(0);
            assertThat(letter.headers().get("traceparent")).as("the letter keeps the trace it failed in")
                    .startsWith("00-" + request.getSpanContext().getTraceId() + "-" + request.getSpanContext().getSpanId() + "-");

            broken[0] = false;
            Span operator = tracer().spanBuilder("POST /console/replay").startSpan();
            try (Scope ignored = operator.makeCurrent()) {
                assertThat(queue.deadLetters().replay(letter.id()).outcome()).isEqualTo(dev.opskit.deadletter.ReplayOutcome.REPLAYED);
            } finally {
                operator.end();
            }
            SpanData replay = awaitSpan("replay jobqueue:emails");
            assertThat(replay.getParentSpanId()).as("child of the operator's request").isEqualTo(operator.getSpanContext().getSpanId());
            assertThat(replay.getLinks()).as("linked to the trace the job failed in")
                    .anySatisfy(l -> assertThat(l.getSpanContext().getSpanId()).isEqualTo(request.getSpanContext().getSpanId()));
            assertThat(replay.getAttributes().get(AttributeKey.longKey("opskit.deadletter.id"))).isEqualTo(letter.id());
            assertThat(replay.getAttributes().get(AttributeKey.stringKey("opskit.deadletter.replay_outcome"))).isEqualTo("replayed");

            await("the replayed job ran", () -> otel.getSpans().stream()
                    .filter(s -> s.getName().equals("process import")).count() == 2);
            SpanData rerun = otel.getSpans().stream().filter(s -> s.getName().equals("process import"))
                    .filter(s -> s.getTraceId().equals(operator.getSpanContext().getTraceId())).findFirst().orElseThrow();
            assertThat(rerun.getParentSpanId()).as("the replayed job runs in a child of the replay").isEqualTo(replay.getSpanId());
            assertThat(rerun.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
        } finally {
            w.close();
        }
    }
}
