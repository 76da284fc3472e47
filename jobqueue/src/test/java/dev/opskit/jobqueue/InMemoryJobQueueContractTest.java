package dev.opskit.jobqueue;

import dev.opskit.core.backoff.Backoff;
import dev.opskit.jobqueue.testing.InMemoryJobQueue;

import java.time.Duration;

class InMemoryJobQueueContractTest extends JobQueueContract {
    private final InMemoryJobQueue queue = new InMemoryJobQueue().backoff(Backoff.fixed(Duration.ZERO));

    @Override
    JobQueue queue() {
        return queue;
    }

    @Override
    void handle(String kind, JobHandler handler) {
        queue.handler(kind, handler);
    }

    @Override
    void runUntilIdle() {
        queue.runUntilIdle();
    }

    @Override
    void passTime(Duration d) {
        queue.clock().advance(d);
    }

    @Override
    dev.opskit.deadletter.DeadLetterStore deadLetters() {
        return queue.deadLetters();
    }
}
