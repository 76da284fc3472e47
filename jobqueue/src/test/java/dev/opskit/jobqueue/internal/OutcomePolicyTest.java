package dev.opskit.jobqueue.internal;

import dev.opskit.core.backoff.Backoff;
import dev.opskit.breaker.CallRejectedException;
import dev.opskit.deadletter.DeadLetterReason;
import dev.opskit.jobqueue.Job;
import dev.opskit.jobqueue.JobState;
import dev.opskit.jobqueue.NonRetryableJobException;
import dev.opskit.jobqueue.PostponeJobException;
import org.junit.jupiter.api.Test;

import java.io.UncheckedIOException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static dev.opskit.jobqueue.internal.OutcomePolicy.Interruption.NONE;
import static dev.opskit.jobqueue.internal.OutcomePolicy.Interruption.SHUTDOWN;
import static dev.opskit.jobqueue.internal.OutcomePolicy.Interruption.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;

class OutcomePolicyTest {
    private static final Instant NOW = Instant.parse("2026-05-01T10:00:00Z");
    private final OutcomePolicy policy = new OutcomePolicy(Backoff.fixed(Duration.ofSeconds(7)), Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void anOrdinaryFailureIsRetriedAfterTheBackoffWithAnEntryInTheHistory() {
        Outcome o = policy.failed(job(1, 3), new IllegalStateException("smtp 451"), NONE, null, "w1");
        assertThat(o.type()).isEqualTo(Outcome.Type.RETRY);
        assertThat(o.delay()).isEqualTo(Duration.ofSeconds(7));
        assertThat(o.errorJson()).contains("\"reason\":\"retry\"", "smtp 451", "IllegalStateException", "\"at\":\"" + NOW + "\"");
    }

    @Test
    void aCancelledAttemptEndsCancelledWithWhatTheHandlerThrewOrWithoutWhenItReturned() {
        Outcome threw = policy.cancelled(job(3, 3), new IllegalStateException("stopped half-way"), "w1");
        assertThat(threw.type()).isEqualTo(Outcome.Type.CANCEL);
        assertThat(threw.type().metricTag()).isEqualTo("cancelled");
        assertThat(threw.deadReason()).as("the last attempt, but not dead").isNull();
        assertThat(threw.errorJson()).contains("\"reason\":\"cancelled\"", "cancelled while running on worker w1",
                "stopped half-way", "IllegalStateException", "\"attempt\":3");
        Outcome returned = policy.cancelled(job(1, 3), null, null);
        assertThat(returned.type()).isEqualTo(Outcome.Type.CANCEL);
        assertThat(returned.errorJson()).contains("\"type\":\"cancelled\"", "\"message\":\"cancelled while running\"")
                .doesNotContain("stack");
    }

    @Test
    void theLastAttemptsFailureIsDeadWithMaxAttempts() {
        Outcome o = policy.failed(job(3, 3), new IllegalStateException("smtp 451"), NONE, null, "w1");
        assertThat(o.type()).isEqualTo(Outcome.Type.DEAD);
        assertThat(o.deadReason()).isEqualTo(DeadLetterReason.MAX_ATTEMPTS);
        assertThat(o.errorJson()).contains("\"reason\":\"max_attempts\"");
    }

    @Test
    void anOpenBreakerAnywhereInTheCauseChainPostponesByItsRetryAfter() {
        Throwable wrapped = new UncheckedIOException(new IOException("wrapped", new CallRejectedException("openai", Duration.ofSeconds(30), false)));
        Outcome o = policy.failed(job(3, 3), wrapped, NONE, null, "w1");
        assertThat(o.type()).isEqualTo(Outcome.Type.POSTPONE);
        assertThat(o.delay()).isEqualTo(Duration.ofSeconds(30));
        assertThat(o.errorJson()).as("a postponement is no failure").isNull();
    }

    @Test
    void aPostponeRequestPostponesByItsDelay() {
        Outcome o = policy.failed(job(1, 3), new PostponeJobException(Duration.ofMinutes(2), "quota"), NONE, null, "w1");
        assertThat(o.type()).isEqualTo(Outcome.Type.POSTPONE);
        assertThat(o.delay()).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void aNonRetryableErrorIsDeadAtOnce() {
        Outcome o = policy.failed(job(1, 20), new NonRetryableJobException("bad address"), NONE, null, "w1");
        assertThat(o.deadReason()).isEqualTo(DeadLetterReason.NON_RETRYABLE);
    }

    @Test
    void aTimeoutIsAFailureRecordedAsJobTimeoutExceptionAndWinsOverTheBreaker() {
        Throwable t = new RuntimeException(new CallRejectedException("openai", Duration.ofSeconds(30), false));
        Outcome o = policy.failed(job(1, 3), t, TIMEOUT, Duration.ofMillis(300), "w1");
        assertThat(o.type()).isEqualTo(Outcome.Type.RETRY);
        assertThat(o.error()).isInstanceOf(JobTimeoutException.class).hasMessageContaining("timeout of 300 ms");
        assertThat(o.errorJson()).contains("\"reason\":\"timeout\"");
    }

    @Test
    void aShutdownInterruptionHandsTheJobBackNamingTheWorker() {
        Outcome o = policy.failed(job(3, 3), new InterruptedException(), SHUTDOWN, null, "w1");
        assertThat(o.type()).isEqualTo(Outcome.Type.HAND_BACK);
        assertThat(o.errorJson()).contains("graceful shutdown of worker w1", "\"reason\":\"shutdown\"");
    }

    @Test
    void noHandlerIsDeadWithNoHandler() {
        Outcome o = policy.noHandler(job(1, 3), "w1");
        assertThat(o.deadReason()).isEqualTo(DeadLetterReason.NO_HANDLER);
        assertThat(o.errorJson()).contains("no handler is registered for kind 'k' on worker w1");
    }

    private static Job job(int attempt, int maxAttempts) {
        return new Job(1, "default", "k", "{}", 0, JobState.RUNNING, NOW, NOW, attempt, maxAttempts, null, "w1", NOW, NOW, null, "[]", null);
    }
}
