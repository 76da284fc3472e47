package dev.opskit.jobqueue;

import java.time.Instant;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One recurring job as the database (or the in-memory fake) knows it, for listings
 * ({@link PostgresJobQueue#schedules()}, {@code opskit jobs schedules}).
 *
 * @param name the schedule's name
 * @param spec how it recurs, as last declared: {@code cron <expression> <zone>} or {@code every <ISO duration>}
 * @param kind the kind of the jobs it enqueues
 * @param queue the queue of those jobs
 * @param declared whether a running worker declared it within {@link Schedule#STALE_AFTER}; a schedule
 *                 removed from code stops firing at once and reads false after that time
 * @param lastDue the latest due time enqueued (or skipped by catch-up), null before the first
 * @param nextDue the next due time, null when not declared (nothing will fire it)
 * @param createdAt when a worker first declared it; due times before it are not caught up
 * @param seenAt when a worker declaring it last checked in
 */
public record ScheduleInfo(String name, String spec, String kind, String queue, boolean declared, @Nullable Instant lastDue,
                           @Nullable Instant nextDue, Instant createdAt, Instant seenAt) {
    /** {@link #lastDue()}, if any. */
    public Optional<Instant> lastDueTime() {
        return Optional.ofNullable(lastDue);
    }

    /** {@link #nextDue()}, if any. */
    public Optional<Instant> nextDueTime() {
        return Optional.ofNullable(nextDue);
    }
}
