package dev.opskit.jobqueue.internal;

import dev.opskit.deadletter.DeadLetterReason;
import dev.opskit.jobqueue.Job;

import java.sql.Connection;
import java.sql.SQLException;
import org.jspecify.annotations.Nullable;

/** Stores a job that gave up in the dead-letter store, on the caller's connection and transaction. */
@FunctionalInterface
public interface DeadLetterSink {
    /**
     * @param job the job as removed from the queue, its error history including the last error
     * @param reason why it gave up
     * @param error the last error, or null
     * @param traceContext the trace context stored with the job at enqueue, or null; kept in the
     *     letter's headers so a replay links back to the trace in which the job failed
     */
    void store(Connection c, Job job, DeadLetterReason reason, @Nullable Throwable error, @Nullable String traceContext)
            throws SQLException;
}
