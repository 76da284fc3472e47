package dev.opskit.jobqueue;

import dev.opskit.breaker.CallRejectedException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The behaviour every {@link JobQueue} shares, run against PostgreSQL and the in-memory fake.
 * Implementations retry with zero backoff, so a failed job is due again at once.
 */
abstract class JobQueueContract {

    /** The queue under test, empty. */
    abstract JobQueue queue();

    /** Registers a handler used by the next {@link #runUntilIdle()}. */
    abstract void handle(String kind, JobHandler handler);

    /** Runs jobs (one at a time, in claim order) until none is due and none runs. */
    abstract void runUntilIdle();

    /** The dead-letter store the queue moves jobs into. */
    abstract dev.opskit.deadletter.DeadLetterStore deadLetters();

    /** The clock schedules are evaluated on; at 2026-01-01T00:00:00Z when each test starts. */
    abstract dev.opskit.jobqueue.testing.ManualClock scheduleClock();

    /** One evaluation of the schedules by a process that declares exactly {@code declared}; returns the jobs it enqueued. */
    abstract int evaluateSchedules(List<Schedule> declared);

    /** The schedules as the implementation lists them, judged at {@link #scheduleClock()}. */
    abstract List<ScheduleInfo> listSchedules();

    /** The unique keys of every job of {@code kind}, waiting or finished, sorted. */
    abstract List<String> uniqueKeysOf(String kind);

    /**
     * Lets {@code d} pass for the rate limits (the fake moves its clock; PostgreSQL, whose clock
     * cannot move, moves the recorded starts back by {@code d}, which is the same for a window).
     */
    abstract void passTime(Duration d);

    /**
     * {@link #runUntilIdle()} serves the queue {@value #LIMITED} with {@value #LIMITED_WORKER_SLOTS}
     * worker slots (every other queue with one), so a concurrency limit below that is what holds it back.
     */
    static final String LIMITED = "limited";
    static final int LIMITED_WORKER_SLOTS = 4;

    private Job job(long id) {
        return queue().get(id).orElseThrow();
    }

    @Test
    void anEnqueuedJobWaitsWithWhatWasAskedFor() {
        EnqueueResult r = queue().enqueue(JobRequest.builder("send-email").payload("{\"to\":\"ana@example.com\"}")
                .queue("emails").priority(5).maxAttempts(3).build());

        assertThat(r.inserted()).isTrue();
        Job job = job(r.jobId());
        assertThat(job.state()).isEqualTo(JobState.AVAILABLE);
        assertThat(job.queue()).isEqualTo("emails");
        assertThat(job.kind()).isEqualTo("send-email");
        assertThat(job.payload()).contains("\"to\"").contains("ana@example.com");
        assertThat(job.priority()).isEqualTo(5);
        assertThat(job.attempt()).isZero();
        assertThat(job.maxAttempts()).isEqualTo(3);
        assertThat(job.errors()).isEqualTo("[]");
    }

    @Test
    void aJobRunsOnceAndCompletes() {
        AtomicInteger runs = new AtomicInteger();
        handle("count", ctx -> runs.incrementAndGet());
        long id = queue().enqueue(JobRequest.of("count", "{}")).jobId();

        runUntilIdle();

        assertThat(runs).hasValue(1);
        Job job = job(id);
        assertThat(job.state()).isEqualTo(JobState.COMPLETED);
        assertThat(job.attempt()).isEqualTo(1);
        assertThat(job.finishedAt()).isNotNull();
    }

    @Test
    void theHandlerSeesThePayloadAndTheAttempt() {
        List<String> seen = new CopyOnWriteArrayList<>();
        handle("echo", ctx -> seen.add(ctx.payload() + "#" + ctx.attempt() + "#" + ctx.lastAttempt()));
        queue().enqueue(JobRequest.builder("echo").payload("[1,2,3]").maxAttempts(1).build());

        runUntilIdle();

        assertThat(seen).singleElement().satisfies(s -> assertThat(s.replace(" ", "")).isEqualTo("[1,2,3]#1#true"));
    }

    @Test
    void aUniqueKeyReturnsTheWaitingJobAndInsertsNothingUntilItFinished() {
        handle("welcome", ctx -> { });
        JobRequest request = JobRequest.builder("welcome").uniqueKey("user-42").build();
        EnqueueResult first = queue().enqueue(request);
        EnqueueResult second = queue().enqueue(request);

        assertThat(first.inserted()).isTrue();
        assertThat(second.inserted()).isFalse();
        assertThat(second.jobId()).isEqualTo(first.jobId());
        assertThat(queue().counts()).singleElement().satisfies(c -> assertThat(c.available()).isEqualTo(1));

        runUntilIdle();
        EnqueueResult third = queue().enqueue(request);
        assertThat(third.inserted()).isTrue();
        assertThat(third.jobId()).isNotEqualTo(first.jobId());
    }

    @Test
    void theSameUniqueKeyOfAnotherKindIsAnotherJob() {
        EnqueueResult a = queue().enqueue(JobRequest.builder("a").uniqueKey("k").build());
        EnqueueResult b = queue().enqueue(JobRequest.builder("b").uniqueKey("k").build());
        assertThat(a.inserted()).isTrue();
        assertThat(b.inserted()).isTrue();
    }

    @Test
    void aCancelledJobNeverRuns() {
        AtomicInteger runs = new AtomicInteger();
        handle("cancel-me", ctx -> runs.incrementAndGet());
        long id = queue().enqueue(JobRequest.of("cancel-me", "{}")).jobId();

        assertThat(queue().cancel(id)).isTrue();
        runUntilIdle();

        assertThat(runs).hasValue(0);
        assertThat(job(id).state()).isEqualTo(JobState.CANCELLED);
        assertThat(queue().cancel(id)).as("already cancelled").isFalse();
        assertThat(queue().cancel(987_654_321L)).as("unknown").isFalse();
        assertThat(queue().requestCancel(id)).isEqualTo(CancelResult.ALREADY_FINISHED);
        assertThat(queue().requestCancel(987_654_321L)).isEqualTo(CancelResult.NOT_FOUND);
    }

    @Test
    void requestCancelSaysWhatItDidToAWaitingAScheduledAFinishedAndAnUnknownJob() {
        handle("quick", ctx -> { });
        long waiting = queue().enqueue(JobRequest.of("never", "{}")).jobId();
        long scheduled = queue().enqueue(JobRequest.builder("never").delay(Duration.ofHours(1)).build()).jobId();
        long done = queue().enqueue(JobRequest.of("quick", "{}")).jobId();
        queue().cancel(waiting);
        queue().cancel(scheduled);
        runUntilIdle();

        assertThat(job(done).state()).isEqualTo(JobState.COMPLETED);
        assertThat(job(scheduled).state()).isEqualTo(JobState.CANCELLED);
        assertThat(queue().requestCancel(done)).isEqualTo(CancelResult.ALREADY_FINISHED);
        assertThat(queue().requestCancel(waiting)).isEqualTo(CancelResult.ALREADY_FINISHED);
        assertThat(queue().requestCancel(987_654_321L)).isEqualTo(CancelResult.NOT_FOUND);
        assertThat(job(done).state()).as("a finished job is left alone").isEqualTo(JobState.COMPLETED);
        long fresh = queue().enqueue(JobRequest.builder("never").delay(Duration.ofHours(1)).build()).jobId();
        assertThat(queue().requestCancel(fresh)).isEqualTo(CancelResult.CANCELLED);
    }

    /** Waits (up to 60 s, ignoring interrupts) until the worker told the handler of its cancel. */
    private static void awaitCancelled(JobContext ctx) {
        long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!ctx.cancelled() && System.nanoTime() < until) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException ignored) {
                // a handler that ignores the interrupt: the test is about it
            }
        }
    }

    @Test
    void aRunningJobCancelledIsInterruptedAndEndsCancelledNotRetriedWhenItsHandlerThrows() {
        AtomicInteger runs = new AtomicInteger();
        List<String> seen = new CopyOnWriteArrayList<>();
        AtomicInteger id = new AtomicInteger();
        handle("long-export", ctx -> {
            runs.incrementAndGet();
            seen.add("before:" + ctx.cancelled());
            seen.add("request:" + queue().requestCancel(ctx.job().id()));
            try {
                Thread.sleep(60_000);
                seen.add("not interrupted");
            } catch (InterruptedException e) {
                seen.add("interrupted:" + ctx.cancelled());
                throw new IllegalStateException("export stopped half-way", e);
            }
        });
        id.set((int) queue().enqueue(JobRequest.builder("long-export").maxAttempts(3).build()).jobId());

        runUntilIdle();

        assertThat(seen).containsExactly("before:false", "request:CANCEL_REQUESTED", "interrupted:true");
        assertThat(runs).as("never retried").hasValue(1);
        Job job = job(id.get());
        assertThat(job.state()).isEqualTo(JobState.CANCELLED);
        assertThat(job.attempt()).isEqualTo(1);
        assertThat(job.finishedAt()).isNotNull();
        assertThat(job.errors()).containsPattern("\"reason\":\\s*\"cancelled\"").contains("export stopped half-way")
                .doesNotContain("\"retry\"");
        assertThat(queue().requestCancel(id.get())).isEqualTo(CancelResult.ALREADY_FINISHED);
        assertThat(queue().cancel(id.get())).isFalse();
    }

    @Test
    void aJobCancelledOnItsLastAttemptIsCancelledNotDeadLettered() {
        handle("last-try", ctx -> {
            queue().requestCancel(ctx.job().id());
            awaitCancelled(ctx);
            throw new NonRetryableJobException("would be dead without the cancel");
        });
        long id = queue().enqueue(JobRequest.builder("last-try").maxAttempts(1).build()).jobId();

        runUntilIdle();

        assertThat(job(id).state()).isEqualTo(JobState.CANCELLED);
        assertThat(deadLetters().list(dev.opskit.deadletter.DeadLetterQuery.waiting()).letters()).isEmpty();
    }

    @Test
    void aHandlerThatIgnoresTheInterruptAndReturnsAfterTheCancelReachedItStillEndsCancelled() {
        AtomicInteger runs = new AtomicInteger();
        handle("stubborn", ctx -> {
            runs.incrementAndGet();
            queue().requestCancel(ctx.job().id());
            awaitCancelled(ctx);
            // carries on and returns normally: told to stop, so its success is not trusted
        });
        long id = queue().enqueue(JobRequest.builder("stubborn").maxAttempts(5).build()).jobId();

        runUntilIdle();

        assertThat(runs).hasValue(1);
        assertThat(job(id).state()).isEqualTo(JobState.CANCELLED);
        assertThat(Thread.currentThread().isInterrupted()).as("no interrupt leaks out of the run").isFalse();
    }

    @Test
    void aRunningJobCancelledFromAnotherThreadStops() throws Exception {
        java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
        List<String> seen = new CopyOnWriteArrayList<>();
        handle("poll-provider", ctx -> {
            started.countDown();
            while (!ctx.cancelled()) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    seen.add("interrupted");
                    return; // a cooperative handler: stops and returns
                }
            }
            seen.add("saw cancelled()");
        });
        long id = queue().enqueue(JobRequest.builder("poll-provider").maxAttempts(3).build()).jobId();
        java.util.concurrent.ExecutorService other = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            java.util.concurrent.Future<CancelResult> cancel = other.submit(() -> {
                if (!started.await(60, java.util.concurrent.TimeUnit.SECONDS)) {
                    throw new AssertionError("the handler never started");
                }
                return queue().requestCancel(id);
            });
            runUntilIdle();
            assertThat(cancel.get(60, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(CancelResult.CANCEL_REQUESTED);
        } finally {
            other.shutdownNow();
        }

        assertThat(seen).hasSize(1);
        assertThat(job(id).state()).isEqualTo(JobState.CANCELLED);
        assertThat(job(id).attempt()).isEqualTo(1);
    }

    @Test
    void aFinishedJobCannotBeCancelled() {
        handle("quick", ctx -> { });
        long id = queue().enqueue(JobRequest.of("quick", "{}")).jobId();
        runUntilIdle();
        assertThat(queue().cancel(id)).isFalse();
        assertThat(job(id).state()).isEqualTo(JobState.COMPLETED);
    }

    @Test
    void aFailingJobIsRetriedUntilItsAttemptsAreSpentThenIsDeadWithItsErrorHistory() {
        AtomicInteger runs = new AtomicInteger();
        handle("flaky", ctx -> {
            runs.incrementAndGet();
            throw new IllegalStateException("provider said no #" + ctx.attempt());
        });
        long id = queue().enqueue(JobRequest.builder("flaky").maxAttempts(3).build()).jobId();

        runUntilIdle();

        assertThat(runs).hasValue(3);
        Job job = job(id);
        assertThat(job.state()).isEqualTo(JobState.DEAD);
        assertThat(job.attempt()).isEqualTo(3);
        assertThat(job.errors()).contains("provider said no #1", "provider said no #2", "provider said no #3",
                "java.lang.IllegalStateException").containsPattern("\"reason\":\\s*\"max_attempts\"")
                .as("one name for one reason: the dead-letter reason operators filter on").doesNotContain("attempts_exhausted");
    }

    @Test
    void aJobThatFailsThenSucceedsCompletes() {
        handle("second-time-lucky", ctx -> {
            if (ctx.attempt() == 1) {
                throw new RuntimeException("first attempt fails");
            }
        });
        long id = queue().enqueue(JobRequest.of("second-time-lucky", "{}")).jobId();

        runUntilIdle();

        Job job = job(id);
        assertThat(job.state()).isEqualTo(JobState.COMPLETED);
        assertThat(job.attempt()).isEqualTo(2);
        assertThat(job.errors()).contains("first attempt fails");
    }

    @Test
    void aNonRetryableErrorSendsTheJobToTheDeadLettersAtOnce() {
        AtomicInteger runs = new AtomicInteger();
        handle("bad-request", ctx -> {
            runs.incrementAndGet();
            throw new NonRetryableJobException("account 42 was deleted");
        });
        long id = queue().enqueue(JobRequest.builder("bad-request").maxAttempts(10).build()).jobId();

        runUntilIdle();

        assertThat(runs).hasValue(1);
        assertThat(job(id).state()).isEqualTo(JobState.DEAD);
        assertThat(job(id).errors()).contains("non_retryable", "account 42 was deleted");
    }

    @Test
    void aPostponedJobRunsAgainWithoutSpendingAnAttempt() {
        AtomicInteger runs = new AtomicInteger();
        handle("later", ctx -> {
            if (runs.incrementAndGet() == 1) {
                throw new PostponeJobException(Duration.ZERO, "come back later");
            }
        });
        long id = queue().enqueue(JobRequest.builder("later").maxAttempts(1).build()).jobId();

        runUntilIdle();

        assertThat(runs).hasValue(2);
        assertThat(job(id).state()).isEqualTo(JobState.COMPLETED);
        assertThat(job(id).attempt()).isEqualTo(1);
    }

    @Test
    void anOpenCircuitBreakerPostponesTheJobWithoutSpendingAnAttempt() {
        AtomicInteger runs = new AtomicInteger();
        handle("ocr", ctx -> {
            if (runs.incrementAndGet() <= 2) {
                throw new RuntimeException("wrapped", new CallRejectedException("openai", Duration.ZERO, false));
            }
        });
        long id = queue().enqueue(JobRequest.builder("ocr").maxAttempts(1).build()).jobId();

        runUntilIdle();

        assertThat(runs).hasValue(3);
        assertThat(job(id).state()).isEqualTo(JobState.COMPLETED);
        assertThat(job(id).attempt()).isEqualTo(1);
    }

    @Test
    void aBreakerThatAsksToWaitLeavesTheJobScheduled() {
        handle("stripe", ctx -> {
            throw new CallRejectedException("stripe", Duration.ofHours(1), true);
        });
        long id = queue().enqueue(JobRequest.of("stripe", "{}")).jobId();

        runUntilIdle();

        Job job = job(id);
        assertThat(job.state()).isEqualTo(JobState.AVAILABLE);
        assertThat(job.attempt()).isZero();
        assertThat(job.runAt()).isAfter(job.createdAt().plus(Duration.ofMinutes(50)));
    }

    private static void declineAtDepth(int depth, int attempt) {
        if (depth == 0) {
            throw new IllegalStateException("card declined #" + attempt);
        }
        declineAtDepth(depth - 1, attempt);
    }

    @Test
    void anExhaustedJobBecomesADeadLetterWithItsErrorHistoryAndAReplayEnqueuesItAgainLinkedToTheLetter() {
        AtomicInteger runs = new AtomicInteger();
        handle("charge", ctx -> {
            if (runs.incrementAndGet() <= 2) {
                declineAtDepth(8, ctx.attempt()); // deeper than the 5 frames kept per attempt, whatever runs the handler
            }
        });
        long id = queue().enqueue(JobRequest.builder("charge").queue("billing").payload("{\"order\":7}").maxAttempts(2)
                .uniqueKey("order-7").build()).jobId();
        runUntilIdle();

        dev.opskit.deadletter.DeadLetter letter = deadLetters().list(dev.opskit.deadletter.DeadLetterQuery.waiting()).letters()
                .stream().filter(l -> l.headers().get("jobId").equals(String.valueOf(id))).findFirst().orElseThrow();
        assertThat(letter.source()).isEqualTo("jobqueue:billing");
        assertThat(letter.kind()).isEqualTo("charge");
        assertThat(letter.payload().replace(" ", "")).isEqualTo("{\"order\":7}");
        assertThat(letter.reason()).isEqualTo(dev.opskit.deadletter.DeadLetterReason.MAX_ATTEMPTS);
        assertThat(letter.attempts()).isEqualTo(2);
        assertThat(letter.errorType()).isEqualTo("java.lang.IllegalStateException");
        assertThat(letter.message()).isEqualTo("card declined #2");
        assertThat(letter.headers()).as("the history is a field of its own, not a header").doesNotContainKey("errorHistory");
        assertThat(letter.errorHistory()).startsWith("[").contains("card declined #1", "card declined #2")
                .containsPattern("\"reason\":\\s*\"" + letter.reason().code() + "\"");
        for (Object entry : (java.util.List<?>) dev.opskit.core.internal.json.JsonText.parse(letter.errorHistory())) {
            String stack = (String) ((java.util.Map<?, ?>) entry).get("stack");
            assertThat(stack.lines().filter(l -> l.startsWith("\tat "))).as("frames kept per attempt: %s", stack).hasSizeLessThanOrEqualTo(5);
            assertThat(stack).as("the frames left out are counted").containsPattern("\t\\.\\.\\. \\d+ more$");
        }
        assertThat(letter.stackTrace()).as("the letter keeps the last attempt's full trace")
                .startsWith("java.lang.IllegalStateException: card declined #2");
        assertThat(letter.stackTrace().lines().filter(l -> l.startsWith("\tat "))).hasSizeGreaterThan(5);
        assertThat(letter.idempotencyKey()).isEqualTo("order-7");
        assertThat(letter.firstFailedAt()).isNotNull();

        dev.opskit.deadletter.ReplayResult replayed = deadLetters().replay(letter.id());
        assertThat(replayed.outcome()).isEqualTo(dev.opskit.deadletter.ReplayOutcome.REPLAYED);
        long newId = Long.parseLong(replayed.reference().replace("job ", ""));
        Job again = job(newId);
        assertThat(again.state()).isEqualTo(JobState.AVAILABLE);
        assertThat(again.replayOf()).isEqualTo(letter.id());
        assertThat(again.attempt()).as("a fresh attempt budget").isZero();
        assertThat(again.maxAttempts()).isEqualTo(2);
        assertThat(again.queue()).isEqualTo("billing");

        runUntilIdle();
        assertThat(job(newId).state()).isEqualTo(JobState.COMPLETED);
    }

    @Test
    void aJobWithoutHandlerGoesToTheDeadLettersWithThatReason() {
        long id = queue().enqueue(JobRequest.of("nobody-handles-this", "{}")).jobId();

        runUntilIdle();

        assertThat(job(id).state()).isEqualTo(JobState.DEAD);
        assertThat(job(id).errors()).contains("no_handler", "nobody-handles-this");
        assertThat(deadLetters().list(dev.opskit.deadletter.DeadLetterQuery.waiting()).letters())
                .anySatisfy(l -> {
                    assertThat(l.kind()).isEqualTo("nobody-handles-this");
                    assertThat(l.reason()).isEqualTo(dev.opskit.deadletter.DeadLetterReason.NO_HANDLER);
                });
    }

    @Test
    void aScheduledJobWaitsUntilItIsDue() {
        AtomicInteger runs = new AtomicInteger();
        handle("tomorrow", ctx -> runs.incrementAndGet());
        long id = queue().enqueue(JobRequest.builder("tomorrow").delay(Duration.ofHours(24)).build()).jobId();

        runUntilIdle();

        assertThat(runs).hasValue(0);
        Job job = job(id);
        assertThat(job.state()).isEqualTo(JobState.AVAILABLE);
        assertThat(job.runAt()).isAfter(job.createdAt().plus(Duration.ofHours(23)));
    }

    @Test
    void lowerPriorityNumbersRunFirst() {
        List<String> order = new CopyOnWriteArrayList<>();
        handle("p", ctx -> order.add(ctx.payload()));
        queue().enqueue(JobRequest.builder("p").payload("\"low\"").priority(10).build());
        queue().enqueue(JobRequest.builder("p").payload("\"high\"").priority(-10).build());
        queue().enqueue(JobRequest.builder("p").payload("\"normal\"").build());

        runUntilIdle();

        assertThat(order).containsExactly("\"high\"", "\"normal\"", "\"low\"");
    }

    @Test
    void countsArePerQueueAndState() {
        handle("done", ctx -> { });
        queue().enqueue(JobRequest.builder("done").queue("a").build());
        runUntilIdle();
        queue().enqueue(JobRequest.builder("waits").queue("a").delay(Duration.ofHours(1)).build());
        queue().enqueue(JobRequest.builder("waits").queue("b").delay(Duration.ofHours(1)).build());
        queue().enqueue(JobRequest.builder("waits").queue("b").delay(Duration.ofHours(1)).build());

        List<QueueCounts> counts = queue().counts();

        assertThat(counts).extracting(QueueCounts::queue).containsExactly("a", "b");
        assertThat(counts.get(0).available()).isEqualTo(1);
        assertThat(counts.get(0).completed()).isEqualTo(1);
        assertThat(counts.get(1).available()).isEqualTo(2);
        assertThat(counts.get(1).oldestAvailable()).as("nothing due yet").isEmpty();
    }

    @Test
    void bulkEnqueueInsertsAllAndSkipsTakenUniqueKeys() {
        queue().enqueue(JobRequest.builder("bulk").uniqueKey("taken").build());
        List<JobRequest> requests = List.of(
                JobRequest.of("bulk", "{\"n\":1}"),
                JobRequest.builder("bulk").payload("{\"n\":2}").queue("other").delay(Duration.ofMinutes(1)).build(),
                JobRequest.builder("bulk").uniqueKey("taken").build(),
                JobRequest.builder("bulk").uniqueKey("fresh").build(),
                JobRequest.builder("bulk").uniqueKey("fresh").build());

        int inserted = queue().enqueueAll(requests);

        assertThat(inserted).isEqualTo(3);
        long total = queue().counts().stream().mapToLong(QueueCounts::available).sum();
        assertThat(total).isEqualTo(4);
    }

    @Test
    void theStuckJobQueryShowsJobsRunningLongerThanAsked() {
        List<List<Job>> seen = new CopyOnWriteArrayList<>();
        handle("slow", ctx -> seen.add(queue().stuckJobs(Duration.ZERO, 10)));
        long id = queue().enqueue(JobRequest.of("slow", "{}")).jobId();

        runUntilIdle();

        assertThat(seen).singleElement().satisfies(stuck -> assertThat(stuck).extracting(Job::id).containsExactly(id));
        assertThat(queue().stuckJobs(Duration.ZERO, 10)).as("nothing runs any more").isEmpty();
        assertThatThrownBy(() -> queue().stuckJobs(Duration.ofMinutes(-1), 10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("runningLongerThan");
    }

    @Test
    void aRunAtLongAgoMeansNow() {
        long id = queue().enqueue(JobRequest.builder("k").runAt(java.time.Instant.MIN).build()).jobId();
        Job job = job(id);
        assertThat(job.state()).isEqualTo(JobState.AVAILABLE);
        assertThat(job.runAt()).isAfterOrEqualTo(job.createdAt().minusSeconds(1)).isBeforeOrEqualTo(job.createdAt().plusSeconds(1));
    }

    @Test
    void badInputIsRefusedWithAClearErrorAndNothingIsWritten() {
        assertThatThrownBy(() -> queue().enqueue(JobRequest.builder("k").payload("{\"a\": }").build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("payload must be valid JSON")
                .hasMessageContaining("character 7");
        assertThatThrownBy(() -> JobRequest.builder("k").queue("emails; DROP TABLE jobs"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("queue must match")
                .hasMessageContaining("emails; DROP TABLE jobs");
        assertThatThrownBy(() -> JobRequest.builder("k").delay(Duration.ofSeconds(-5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("delay must not be negative, but was PT-5S");
        assertThatThrownBy(() -> JobRequest.builder("k").runAt(java.time.Instant.MAX))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("runAt must be before +10000-01-01T00:00:00Z");
        assertThatThrownBy(() -> JobRequest.builder("k").maxAttempts(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxAttempts must be at least 1, but was 0");
        assertThatThrownBy(() -> JobRequest.builder("bad kind!"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("kind must match");
        assertThatThrownBy(() -> JobRequest.builder("k").payload("{\"a\":\"\\u0000\"}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\\u0000");
        assertThatThrownBy(() -> queue().enqueueAll(java.util.Arrays.asList(JobRequest.of("k", "{}"), null)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("requests[1] must not be null");

        assertThat(queue().counts()).isEmpty();
    }

    @Test
    void uniqueKeysThatDifferOnlyInALoneSurrogateAreRefusedNotMerged() {
        // issue 20: "key-\ud800" and "key-\udbff" were both stored as "key-?" and the second reported a duplicate
        for (char lone : new char[] {'\ud800', '\udbff', '\udc00'}) {
            assertThatThrownBy(() -> JobRequest.builder("k").uniqueKey("key-" + lone))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("uniqueKey contains an unpaired UTF-16 surrogate")
                    .hasMessageContaining("at character 5");
        }
        assertThatThrownBy(() -> JobRequest.builder("k").uniqueKey("key-\0"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("uniqueKey contains the NUL character (U+0000) at character 5, which PostgreSQL text cannot store");
        // a whole pair is a character like any other, and two keys with different pairs stay two jobs
        long a = queue().enqueue(JobRequest.builder("k").uniqueKey("key-\ud83d\ude00").build()).jobId();
        EnqueueResult b = queue().enqueue(JobRequest.builder("k").uniqueKey("key-\ud83d\ude01").build());
        assertThat(b.inserted()).isTrue();
        assertThat(b.jobId()).isNotEqualTo(a);
        assertThat(job(a).uniqueKey()).isEqualTo("key-\ud83d\ude00");
    }

    @Test
    void aPayloadWithALoneSurrogateIsRefusedRawOrEscapedNamingThePosition() {
        assertThatThrownBy(() -> JobRequest.builder("k").payload("{\"to\": \"a" + '\ud800' + "\"}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("payload must be valid JSON")
                .hasMessageContaining("unpaired UTF-16 surrogate U+D800").hasMessageContaining("at character 10");
        assertThatThrownBy(() -> JobRequest.builder("k").payload("{\"to\": \"\\ud800\"}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("surrogate escape \\ud800")
                .hasMessageContaining("at character 9");
        long id = queue().enqueue(JobRequest.builder("k").payload("{\"e\": \"\ud83d\ude00\"}").build()).jobId();
        assertThat(job(id).payload()).contains("\ud83d\ude00");
    }

    @Test
    void aRunAtAnywhereBeforeYear10000IsStoredInEnqueueAndEnqueueAll() {
        // issue 20: anything after 2262-04-11T23:47:16Z overflowed nanoseconds in a long
        java.time.Instant far = java.time.Instant.parse("9999-12-31T23:59:59.999999Z");
        java.time.Instant y3000 = java.time.Instant.parse("3000-01-01T00:00:00Z");
        long one = queue().enqueue(JobRequest.builder("k").runAt(far).build()).jobId();
        assertThat(job(one).runAt()).isEqualTo(far);
        assertThat(job(one).state()).isEqualTo(JobState.AVAILABLE);
        assertThat(queue().enqueueAll(List.of(JobRequest.builder("k").runAt(y3000).build(),
                JobRequest.builder("k").runAt(java.time.Instant.parse("2262-04-12T00:00:00Z")).build()))).isEqualTo(2);
        assertThat(queue().counts().get(0).available()).isEqualTo(3);
    }

    // ---------------------------------------------------------------- recurring jobs

    private static final JobRequest REPORT = JobRequest.builder("report").payload("{\"type\":\"nightly\"}").build();
    private static final String T0 = "2026-01-01T00:00:00Z";

    @Test
    void aScheduleEnqueuesOneJobPerDueTimeThatTheClockPassed() {
        Schedule s = Schedule.cron("every-minute", "* * * * *", REPORT);
        assertThat(evaluateSchedules(List.of(s))).as("declared at 00:00:00; first due 00:01").isZero();
        scheduleClock().advance(Duration.ofSeconds(59));
        assertThat(evaluateSchedules(List.of(s))).isZero();
        scheduleClock().advance(Duration.ofSeconds(1));
        assertThat(evaluateSchedules(List.of(s))).isEqualTo(1);
        assertThat(evaluateSchedules(List.of(s))).as("the same due time again").isZero();

        assertThat(uniqueKeysOf("report")).containsExactly("schedule:every-minute@2026-01-01T00:01:00Z");
        assertThat(listSchedules()).singleElement().satisfies(i -> {
            assertThat(i.name()).isEqualTo("every-minute");
            assertThat(i.spec()).isEqualTo("cron * * * * * UTC");
            assertThat(i.kind()).isEqualTo("report");
            assertThat(i.queue()).isEqualTo("default");
            assertThat(i.declared()).isTrue();
            assertThat(i.lastDue()).isEqualTo("2026-01-01T00:01:00Z");
            assertThat(i.nextDue()).isEqualTo("2026-01-01T00:02:00Z");
            assertThat(i.createdAt()).isEqualTo(T0);
        });
    }

    @Test
    void processesEvaluatingTheSameDueTimeEnqueueItOnce() {
        Schedule s = Schedule.every("poll", Duration.ofMinutes(5), REPORT);
        evaluateSchedules(List.of(s));
        scheduleClock().advance(Duration.ofMinutes(5));
        int total = 0;
        for (int process = 0; process < 4; process++) {
            total += evaluateSchedules(List.of(s));
        }
        assertThat(total).isEqualTo(1);
        assertThat(uniqueKeysOf("report")).containsExactly("schedule:poll@2026-01-01T00:05:00Z");
    }

    @Test
    void dueTimesMissedWhileNoWorkerRanAreEnqueuedOnceOnReturnByDefault() {
        Schedule s = Schedule.every("poll", Duration.ofMinutes(1), REPORT);
        evaluateSchedules(List.of(s));
        scheduleClock().advance(Duration.ofMinutes(10).plusSeconds(30)); // every worker was down

        assertThat(evaluateSchedules(List.of(s))).isEqualTo(1);
        assertThat(uniqueKeysOf("report")).containsExactly("schedule:poll@2026-01-01T00:10:00Z");
        scheduleClock().advance(Duration.ofSeconds(30));
        assertThat(evaluateSchedules(List.of(s))).isEqualTo(1);
        assertThat(uniqueKeysOf("report")).endsWith("schedule:poll@2026-01-01T00:11:00Z").hasSize(2);
    }

    @Test
    void dueTimesThatAreOnlyLateAreAllEnqueuedWhateverTheCatchUp() {
        Schedule s = Schedule.every("tick", Duration.ofSeconds(1), REPORT);
        evaluateSchedules(List.of(s));
        scheduleClock().advance(Duration.ofSeconds(5)); // a slow evaluation, not an outage
        assertThat(evaluateSchedules(List.of(s))).isEqualTo(5);

        scheduleClock().advance(Duration.ofSeconds(30)); // an outage: 20 due times collapse, the last 10 s are kept
        assertThat(evaluateSchedules(List.of(s))).isEqualTo(10);
        assertThat(uniqueKeysOf("report")).hasSize(15).contains("schedule:tick@2026-01-01T00:00:26Z")
                .doesNotContain("schedule:tick@2026-01-01T00:00:25Z");
    }

    @Test
    void catchUpAllEnqueuesEveryMissedDueTime() {
        Schedule s = Schedule.every("poll", Duration.ofMinutes(1), REPORT).catchUp(CatchUp.ALL);
        evaluateSchedules(List.of(s));
        scheduleClock().advance(Duration.ofMinutes(10).plusSeconds(30));

        assertThat(evaluateSchedules(List.of(s))).isEqualTo(10);
        List<String> keys = uniqueKeysOf("report");
        assertThat(keys).hasSize(10).startsWith("schedule:poll@2026-01-01T00:01:00Z").endsWith("schedule:poll@2026-01-01T00:10:00Z");
        assertThat(evaluateSchedules(List.of(s))).isZero();
    }

    @Test
    void catchUpAllStopsAtMaxCatchUpAndKeepsTheLatest() {
        Schedule s = Schedule.every("tick", Duration.ofSeconds(1), REPORT).catchUp(CatchUp.ALL);
        evaluateSchedules(List.of(s));
        scheduleClock().advance(Duration.ofSeconds(1500));

        assertThat(evaluateSchedules(List.of(s))).isEqualTo(Schedule.MAX_CATCH_UP);
        List<String> keys = uniqueKeysOf("report");
        assertThat(keys).hasSize(1000).startsWith("schedule:tick@2026-01-01T00:08:21Z").endsWith("schedule:tick@2026-01-01T00:25:00Z");
    }

    @Test
    void aScheduleRemovedFromCodeStopsFiringAndIsListedAsNotDeclaredAfterFiveMinutes() {
        Schedule kept = Schedule.every("kept", Duration.ofMinutes(1), REPORT);
        Schedule removed = Schedule.every("removed", Duration.ofMinutes(1), JobRequest.of("cleanup", "{}"));
        evaluateSchedules(List.of(kept, removed));
        scheduleClock().advance(Duration.ofMinutes(1));
        assertThat(evaluateSchedules(List.of(kept, removed))).isEqualTo(2);

        // the next deploy no longer declares "removed"
        scheduleClock().advance(Duration.ofMinutes(1));
        assertThat(evaluateSchedules(List.of(kept))).isEqualTo(1);
        scheduleClock().advance(Schedule.STALE_AFTER);
        assertThat(evaluateSchedules(List.of(kept))).isEqualTo(1);

        assertThat(uniqueKeysOf("cleanup")).containsExactly("schedule:removed@2026-01-01T00:01:00Z");
        assertThat(listSchedules()).extracting(ScheduleInfo::name, ScheduleInfo::declared)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("kept", true), org.assertj.core.groups.Tuple.tuple("removed", false));
        ScheduleInfo gone = listSchedules().get(1);
        assertThat(gone.nextDue()).as("nothing will fire it").isNull();
        assertThat(gone.lastDue()).isEqualTo("2026-01-01T00:01:00Z");
    }

    @Test
    void aNewlyDeclaredScheduleDoesNotCatchUpDueTimesBeforeItsDeclaration() {
        scheduleClock().advance(Duration.ofHours(5).plusMinutes(30));
        Schedule hourly = Schedule.cron("hourly", "@hourly", REPORT).catchUp(CatchUp.ALL);
        assertThat(evaluateSchedules(List.of(hourly))).isZero();
        scheduleClock().advance(Duration.ofMinutes(30));
        assertThat(evaluateSchedules(List.of(hourly))).isEqualTo(1);
        assertThat(uniqueKeysOf("report")).containsExactly("schedule:hourly@2026-01-01T06:00:00Z");
    }

    @Test
    void aCronScheduleSkipsTheLocalTimeThatDaylightSavingRemoves() {
        scheduleClock().set(java.time.Instant.parse("2026-03-28T12:00:00Z"));
        Schedule s = Schedule.cron("night", "30 2 * * *", java.time.ZoneId.of("Europe/Berlin"), REPORT);
        for (int hour = 0; hour <= 72; hour++) {
            evaluateSchedules(List.of(s));
            scheduleClock().advance(Duration.ofHours(1));
        }
        assertThat(uniqueKeysOf("report")).containsExactly(
                "schedule:night@2026-03-30T00:30:00Z", "schedule:night@2026-03-31T00:30:00Z");
    }

    @Test
    void aScheduledJobRunsWithTheTemplatesKindQueueAndPayload() {
        List<String> seen = new CopyOnWriteArrayList<>();
        handle("report", ctx -> seen.add(ctx.job().queue() + " " + ctx.payload().replace(" ", "") + " " + ctx.job().uniqueKey()
                + " " + Schedule.dueTimeOf(ctx.job()).orElseThrow()));
        Schedule s = Schedule.every("report", Duration.ofMinutes(1),
                JobRequest.builder("report").queue("billing").payload("{\"type\":\"nightly\"}").build());
        evaluateSchedules(List.of(s));
        scheduleClock().advance(Duration.ofMinutes(1));
        evaluateSchedules(List.of(s));

        runUntilIdle();

        assertThat(seen).containsExactly("billing {\"type\":\"nightly\"} schedule:report@2026-01-01T00:01:00Z 2026-01-01T00:01:00Z");
        assertThat(Schedule.dueTimeOf(job(queue().enqueue(JobRequest.builder("report").uniqueKey("x@2026").build()).jobId()))).isEmpty();
    }

    // ------------------------------------------------------------ pause and limits (issue 15)

    private java.util.Map<JobState, Long> states(String queue) {
        java.util.Map<JobState, Long> out = new java.util.EnumMap<>(JobState.class);
        for (QueueCounts c : queue().counts()) {
            if (c.queue().equals(queue)) {
                for (JobState s : JobState.values()) {
                    if (c.count(s) > 0) {
                        out.put(s, c.count(s));
                    }
                }
            }
        }
        return out;
    }

    @Test
    void aPausedQueueStartsNothingWhileOtherQueuesRunAndEnqueueStillWorksUntilItIsResumed() {
        List<String> ran = new CopyOnWriteArrayList<>();
        handle("work", ctx -> ran.add(ctx.job().queue()));
        assertThat(queue().pause("emails")).isTrue();
        assertThat(queue().pause("emails")).as("already paused").isFalse();
        long waiting = queue().enqueue(JobRequest.builder("work").queue("emails").build()).jobId();
        queue().enqueue(JobRequest.builder("work").queue("default").build());

        runUntilIdle();

        assertThat(ran).containsExactly("default");
        assertThat(job(waiting).state()).isEqualTo(JobState.AVAILABLE);
        assertThat(job(waiting).attempt()).isZero();
        assertThat(queue().paused()).containsExactly("emails");
        assertThat(queue().controls()).singleElement().satisfies(c -> {
            assertThat(c.queue()).isEqualTo("emails");
            assertThat(c.paused()).isTrue();
            assertThat(c.limited()).isFalse();
        });

        assertThat(queue().resume("emails")).isTrue();
        assertThat(queue().resume("emails")).as("not paused any more").isFalse();
        runUntilIdle();

        assertThat(ran).containsExactly("default", "emails");
        assertThat(job(waiting).state()).isEqualTo(JobState.COMPLETED);
        assertThat(queue().paused()).isEmpty();
        assertThat(queue().controls()).as("nothing left to control: the row is gone").isEmpty();
    }

    @Test
    void aConcurrencyLimitHoldsHowManyJobsOfTheQueueRunAtOnceAndEveryJobStillRuns() {
        AtomicInteger now = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        List<Long> runningSeen = new CopyOnWriteArrayList<>();
        handle("slow", ctx -> {
            most.accumulateAndGet(now.incrementAndGet(), Math::max);
            runningSeen.add(queue().counts().stream().filter(c -> c.queue().equals(LIMITED)).mapToLong(QueueCounts::running).sum());
            Thread.sleep(40);
            now.decrementAndGet();
        });
        queue().limitConcurrency(LIMITED, 1);
        for (int i = 0; i < 6; i++) {
            queue().enqueue(JobRequest.builder("slow").queue(LIMITED).build());
        }

        runUntilIdle();

        assertThat(states(LIMITED)).containsOnlyKeys(JobState.COMPLETED).containsEntry(JobState.COMPLETED, 6L);
        assertThat(most).as("jobs of the queue running at once").hasValue(1);
        assertThat(runningSeen).hasSize(6).allSatisfy(n -> assertThat(n).isEqualTo(1L));
        assertThat(queue().controls()).singleElement().satisfies(c -> {
            assertThat(c.maxRunning()).isEqualTo(1);
            assertThat(c.paused()).isFalse();
            assertThat(c.rateLimit()).isNull();
        });
    }

    @Test
    void aRateLimitStartsAtMostItsPermitsPerPeriodAndTheOthersWaitWithoutSpendingAnAttempt() {
        AtomicInteger runs = new AtomicInteger();
        handle("call-provider", ctx -> runs.incrementAndGet());
        queue().limitRate("emails", RateLimit.of(2, Duration.ofHours(1)));
        List<Long> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(queue().enqueue(JobRequest.builder("call-provider").queue("emails").build()).jobId());
        }

        runUntilIdle();
        assertThat(runs).hasValue(2);
        assertThat(states("emails")).containsEntry(JobState.COMPLETED, 2L).containsEntry(JobState.AVAILABLE, 3L)
                .doesNotContainKey(JobState.DEAD);
        assertThat(job(ids.get(0)).state()).as("claim order holds under the limit").isEqualTo(JobState.COMPLETED);
        assertThat(job(ids.get(4)).attempt()).isZero();

        passTime(Duration.ofMinutes(59));
        runUntilIdle();
        assertThat(runs).as("the window has not moved past the first starts yet").hasValue(2);

        passTime(Duration.ofMinutes(1));
        runUntilIdle();
        assertThat(runs).hasValue(4);
        passTime(Duration.ofHours(1));
        runUntilIdle();
        assertThat(runs).hasValue(5);
        assertThat(states("emails")).containsOnlyKeys(JobState.COMPLETED);
    }

    @Test
    void aRateLimitPerKeyCountsEachValueOfThePayloadFieldApart() {
        List<String> ran = new CopyOnWriteArrayList<>();
        handle("charge", ctx -> ran.add(ctx.payload().replace(" ", "")));
        queue().limitRate("billing", RateLimit.perKey(1, Duration.ofMinutes(10), "customerId"));
        for (String payload : new String[] {"{\"customerId\":\"a\",\"n\":1}", "{\"customerId\":\"a\",\"n\":2}",
                "{\"customerId\":\"b\"}", "{\"customerId\":7}", "{\"other\":1}", "{\"other\":2}"}) {
            queue().enqueue(JobRequest.builder("charge").queue("billing").payload(payload).build());
        }

        runUntilIdle();

        // jsonb may print the fields in another order: compare by content
        assertThat(ran).as("one start per customer, and jobs without the field share one bucket").hasSize(4)
                .anyMatch(p -> p.contains("\"n\":1")).anyMatch(p -> p.contains("\"b\"")).anyMatch(p -> p.contains(":7"))
                .anyMatch(p -> p.contains("\"other\":1"))
                .noneMatch(p -> p.contains("\"n\":2")).noneMatch(p -> p.contains("\"other\":2"));
        assertThat(states("billing")).containsEntry(JobState.AVAILABLE, 2L);

        passTime(Duration.ofMinutes(10));
        runUntilIdle();
        assertThat(ran).hasSize(6);
    }

    @Test
    void limitsAreListedReplacedAndRemovedAndAPauseOutlivesThem() {
        queue().limitConcurrency("ocr", 3);
        queue().limitConcurrency("ocr", 5);
        queue().limitRate("ocr", RateLimit.perKey(10, Duration.ofSeconds(1), "customerId"));
        queue().pause("ocr");

        assertThat(queue().controls()).singleElement().satisfies(c -> {
            assertThat(c.queue()).isEqualTo("ocr");
            assertThat(c.paused()).isTrue();
            assertThat(c.maxRunning()).isEqualTo(5);
            assertThat(c.rateLimit()).isEqualTo(new RateLimit(10, Duration.ofSeconds(1), "customerId"));
        });

        queue().removeLimits("ocr");
        assertThat(queue().controls()).singleElement().satisfies(c -> {
            assertThat(c.paused()).isTrue();
            assertThat(c.limited()).isFalse();
        });
        queue().resume("ocr");
        assertThat(queue().controls()).isEmpty();
        queue().removeLimits("never-limited"); // nothing to remove: no error
        assertThat(queue().controls()).isEmpty();
    }

    @Test
    void badControlValuesAreRefusedNamingTheValue() {
        assertThatThrownBy(() -> queue().limitConcurrency("emails", 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxRunning must be at least 1, but was 0");
        assertThatThrownBy(() -> RateLimit.of(0, Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("permits must be at least 1, but was 0");
        assertThatThrownBy(() -> RateLimit.of(1, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("period must be greater than 0, but was PT0S");
        assertThatThrownBy(() -> RateLimit.of(1, Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("period must be greater than 0, but was PT-1S");
        assertThatThrownBy(() -> RateLimit.of(1, Duration.ofNanos(10))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("period must be at least 1 ms");
        assertThatThrownBy(() -> RateLimit.perKey(1, Duration.ofSeconds(1), " ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("keyField must be a non-blank payload field name").hasMessageContaining("' '");
        assertThatThrownBy(() -> queue().pause("Bad Queue")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("queue must match").hasMessageContaining("Bad Queue");
        assertThatThrownBy(() -> queue().limitRate("emails", null)).isInstanceOf(NullPointerException.class)
                .hasMessage("limit must not be null");
        assertThat(queue().controls()).isEmpty();
    }
}
