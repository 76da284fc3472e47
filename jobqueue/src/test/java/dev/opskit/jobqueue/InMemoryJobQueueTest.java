package dev.opskit.jobqueue;

import dev.opskit.jobqueue.testing.InMemoryJobQueue;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The fake's own helpers: the clock, the synchronous runner, the assertions. */
class InMemoryJobQueueTest {
    private final InMemoryJobQueue jobs = new InMemoryJobQueue();

    @Test
    void scheduledJobsAndRetriesRunWhenTheClockReachesThem() {
        List<Integer> attempts = new ArrayList<>();
        jobs.backoff(attempt -> Duration.ofMinutes(10));
        jobs.handler("sync", ctx -> {
            attempts.add(ctx.attempt());
            if (ctx.attempt() == 1) {
                throw new IllegalStateException("first fails");
            }
        });
        jobs.enqueue(JobRequest.builder("sync").delay(Duration.ofMinutes(5)).build());

        assertThat(jobs.runUntilIdle()).isZero();
        jobs.clock().advance(Duration.ofMinutes(5));
        assertThat(jobs.runUntilIdle()).isEqualTo(1);
        jobs.clock().advance(Duration.ofMinutes(9));
        assertThat(jobs.runUntilIdle()).as("the retry is not due yet").isZero();
        jobs.clock().advance(Duration.ofMinutes(1));
        assertThat(jobs.runUntilIdle()).isEqualTo(1);

        assertThat(attempts).containsExactly(1, 2);
        jobs.assertNothingPending();
    }

    @Test
    void assertEnqueuedReturnsTheOnlyWaitingJobOfAKindAndExplainsOtherwise() {
        jobs.enqueue(JobRequest.builder("welcome").payload("{\"user\":42}").build());

        Job job = jobs.assertEnqueued("welcome");
        assertThat(job.payload()).isEqualTo("{\"user\":42}");
        assertThatThrownBy(() -> jobs.assertEnqueued("invoice")).isInstanceOf(AssertionError.class)
                .hasMessageContaining("expected exactly one waiting job of kind 'invoice' but found 0").hasMessageContaining("welcome");
        assertThatThrownBy(jobs::assertNothingPending).isInstanceOf(AssertionError.class);
    }

    @Test
    void aHandlerMayNotRunTheQueueItself() {
        jobs.handler("nested", ctx -> jobs.runUntilIdle());
        jobs.enqueue(JobRequest.builder("nested").maxAttempts(1).build());
        jobs.runUntilIdle();
        assertThat(jobs.deadJobs()).singleElement().satisfies(j -> assertThat(j.errors()).contains("must not be called from a handler"));
    }
}
