package dev.opskit.jobqueue;

import dev.opskit.jobqueue.internal.PgStore.Claimed;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** The moment that decides whether a cancel wins: before or after the worker recorded the handler's ending. */
class ExecutionTest {

    private static Execution execution() {
        Instant now = Instant.parse("2026-05-01T10:00:00Z");
        Job job = new Job(7, "default", "k", "{}", 0, JobState.RUNNING, now, now, 1, 3, null, "w", now, now, null, "[]", null);
        return new Execution(new Claimed(job, 42, 0, null), null, new StopSignals());
    }

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted();
    }

    @Test
    void aCancelOfARunningHandlerInterruptsItsThreadAndDecidesTheOutcome() {
        Execution e = execution();
        assertThat(e.begin()).isTrue();

        assertThat(e.requestCancel()).as("the first request").isTrue();
        assertThat(Thread.currentThread().isInterrupted()).isTrue();
        assertThat(e.cancelled()).isTrue();
        Thread.interrupted();
        assertThat(e.requestCancel()).as("asked again: not the first, but interrupted again").isFalse();
        assertThat(Thread.currentThread().isInterrupted()).isTrue();

        assertThat(e.handlerEnded()).as("the outcome is cancelled").isTrue();
        e.end();
        assertThat(Thread.currentThread().isInterrupted()).as("cleared before the thread runs another job").isFalse();
    }

    @Test
    void aCancelAfterTheHandlerEndedChangesNothingAndInterruptsNobody() {
        Execution e = execution();
        e.begin();
        assertThat(e.handlerEnded()).as("returned before any cancel: its outcome stands").isFalse();

        assertThat(e.requestCancel()).isFalse();
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
        assertThat(e.cancelled()).isFalse();
        e.interruptForShutdown();
        e.interruptForTimeout();
        assertThat(Thread.currentThread().isInterrupted()).as("nor do a shutdown or a timeout").isFalse();
    }

    @Test
    void aCancelBeforeTheHandlerStartedKeepsItFromStartingAndAHandedBackOneIsNotTouched() {
        Execution claimed = execution();
        assertThat(claimed.requestCancel()).isTrue();
        assertThat(Thread.currentThread().isInterrupted()).as("nothing runs yet").isFalse();
        assertThat(claimed.begin()).isTrue();
        assertThat(claimed.cancelled()).as("the executor sees it before calling the handler").isTrue();

        Execution handedBack = execution();
        assertThat(handedBack.handBack()).isTrue();
        assertThat(handedBack.requestCancel()).isFalse();
        assertThat(handedBack.cancelled()).isFalse();
    }
}
