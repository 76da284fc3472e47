/**
 * A PostgreSQL job queue: transactional enqueue ({@link dev.opskit.jobqueue.JobQueue}), a worker
 * runtime with leases, retries, rescue and graceful drain ({@link dev.opskit.jobqueue.Workers}),
 * metrics, a health check, and an in-memory fake in {@code dev.opskit.jobqueue.testing}.
 *
 * <p>Arguments of public methods are non-null unless documented otherwise.
 */
@NullMarked
package dev.opskit.jobqueue;

import org.jspecify.annotations.NullMarked;
