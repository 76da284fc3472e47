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

    @Test
    void aScheduleDeclaredOnTheFakeRunsWhenTheClockPassesItsDueTime() {
        InMemoryJobQueue jobs = new InMemoryJobQueue();                 // 2026-01-01T00:00:00Z
        List<String> ran = new ArrayList<>();
        jobs.handler("report", ctx -> ran.add(ctx.job().uniqueKey()));
        jobs.schedule(Schedule.cron("nightly", "0 3 * * *", java.time.ZoneId.of("Europe/Berlin"), JobRequest.of("report", "{}")));

        assertThat(jobs.runUntilIdle()).isZero();
        jobs.clock().advance(Duration.ofDays(2));                        // two nights pass without a run
        assertThat(jobs.runUntilIdle()).isEqualTo(1);                    // catch-up ONCE: the latest

        assertThat(ran).containsExactly("schedule:nightly@2026-01-02T02:00:00Z");
        assertThat(jobs.schedules()).singleElement().satisfies(i -> {
            assertThat(i.lastDue()).isEqualTo("2026-01-02T02:00:00Z");
            assertThat(i.nextDue()).isEqualTo("2026-01-03T02:00:00Z");
        });
        assertThat(jobs.unschedule("nightly")).isTrue();
        jobs.clock().advance(Duration.ofDays(1));
        assertThat(jobs.runUntilIdle()).as("removed: nothing fires").isZero();
        assertThat(jobs.schedules()).singleElement().satisfies(i -> assertThat(i.declared()).isFalse());
    }
}
