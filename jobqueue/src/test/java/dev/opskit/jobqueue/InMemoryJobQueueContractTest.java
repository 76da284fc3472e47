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

    @Override
    dev.opskit.jobqueue.testing.ManualClock scheduleClock() {
        return queue.clock();
    }

    @Override
    int evaluateSchedules(java.util.List<Schedule> declared) {
        java.util.Set<String> names = new java.util.HashSet<>();
        declared.forEach(s -> names.add(s.name()));
        queue.schedules().stream().map(ScheduleInfo::name).filter(n -> !names.contains(n)).forEach(queue::unschedule);
        declared.forEach(queue::schedule);
        return queue.runSchedules();
    }

    @Override
    java.util.List<ScheduleInfo> listSchedules() {
        return queue.schedules();
    }

    @Override
    java.util.List<String> uniqueKeysOf(String kind) {
        return queue.enqueued(kind).stream().map(Job::uniqueKey).sorted().toList();
    }
}
