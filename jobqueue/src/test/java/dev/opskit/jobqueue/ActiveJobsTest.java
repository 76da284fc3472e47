package dev.opskit.jobqueue;

import dev.opskit.jobqueue.internal.PgStore.Claimed;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class ActiveJobsTest {
    private final StopSignals signals = new StopSignals();

    @Test
    void storingTheOutcomeOfAnOldExecutionKeepsTheNewerExecutionOfTheSameJob() {
        ActiveJobs active = new ActiveJobs();
        Execution first = execution(7, 111);
        active.add(first);
        // its retry was stored and was due at once: this worker claimed the job again before the
        // completer removed the first execution
        Execution second = execution(7, 222);
        active.add(second);

        active.remove(first);

        assertThat(active.size()).isEqualTo(1);
        assertThat(active.snapshot()).containsExactly(second);
        active.remove(second);
        assertThat(active.isEmpty()).isTrue();
    }

    @Test
    void noneStartedUntilAHandlerBeginsAndAgainOnceItEnded() {
        ActiveJobs active = new ActiveJobs();
        Execution e = execution(1, 1);
        active.add(e);
        assertThat(active.noneStarted()).isTrue();
        assertThat(e.begin()).isTrue();
        assertThat(active.noneStarted()).isFalse();
        assertThat(e.handBack()).as("a started job is not handed back").isFalse();
        e.end();
        assertThat(active.noneStarted()).isTrue();
    }

    @Test
    void aJobHandedBackBeforeItStartedNeverBegins() {
        Execution e = execution(1, 1);
        assertThat(e.handBack()).isTrue();
        assertThat(e.begin()).isFalse();
    }

    private Execution execution(long id, long token) {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        Job job = new Job(id, "default", "k", "{}", 0, JobState.RUNNING, now, now, 1, 3, null, "w", now, now, null, "[]", null);
        return new Execution(new Claimed(job, token, 0, null), null, signals);
    }
}
