package dev.opskit.spring.boot;

import dev.opskit.jobqueue.CancelResult;
import dev.opskit.jobqueue.EnqueueResult;
import dev.opskit.jobqueue.Job;
import dev.opskit.jobqueue.JobQueue;
import dev.opskit.jobqueue.JobRequest;
import dev.opskit.jobqueue.PostgresJobQueue;
import dev.opskit.jobqueue.QueueCounts;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The {@link JobQueue} the starter exposes (as the primary {@code JobQueue} bean): an enqueue made
 * inside a Spring-managed transaction ({@code @Transactional}, {@code TransactionTemplate}) runs on
 * that transaction's connection, so the job exists only if the transaction commits and workers are
 * woken at commit; outside a transaction it enqueues in its own transaction, as
 * {@link PostgresJobQueue#enqueue(JobRequest)} does. Everything else is delegated.
 *
 * <p>The transaction is found through {@link DataSourceUtils#getConnection(DataSource)} on the
 * queue's {@code DataSource}: it must be the data source the transaction manager manages
 * ({@code DataSourceTransactionManager}, {@code JdbcTransactionManager} or {@code JpaTransactionManager}
 * on that data source), which is the case with Boot's auto-configuration. Thread-safe.
 */
public final class SpringJobQueue implements JobQueue {
    private final PostgresJobQueue queue;
    private final DataSource dataSource;

    /** Joins transactions on {@code queue.dataSource()}. */
    public SpringJobQueue(PostgresJobQueue queue) {
        this.queue = Objects.requireNonNull(queue, "queue must not be null");
        this.dataSource = queue.dataSource();
    }

    /** The queue this delegates to. */
    public PostgresJobQueue delegate() {
        return queue;
    }

    /**
     * Enqueues in the current Spring transaction when there is one (the job then commits or rolls
     * back with it), else in a transaction of its own.
     */
    @Override
    public EnqueueResult enqueue(JobRequest request) {
        return inCurrentTransaction(() -> queue.enqueue(request), c -> queue.enqueue(c, request));
    }

    @Override
    public EnqueueResult enqueue(Connection connection, JobRequest request) {
        return queue.enqueue(connection, request);
    }

    /** Like {@link #enqueue(JobRequest)}: in the current Spring transaction when there is one. */
    @Override
    public int enqueueAll(List<JobRequest> requests) {
        return inCurrentTransaction(() -> queue.enqueueAll(requests), c -> queue.enqueueAll(c, requests));
    }

    /** {@code joined} on the Spring transaction's connection when one is active, else {@code alone}. */
    private <T> T inCurrentTransaction(java.util.function.Supplier<T> alone, java.util.function.Function<Connection, T> joined) {
        if (!inTransaction()) {
            return alone.get();
        }
        Connection connection = DataSourceUtils.getConnection(dataSource);
        try {
            return joined.apply(connection);
        } finally {
            DataSourceUtils.releaseConnection(connection, dataSource);
        }
    }

    @Override
    public int enqueueAll(Connection connection, List<JobRequest> requests) {
        return queue.enqueueAll(connection, requests);
    }

    @Override
    public boolean cancel(long jobId) {
        return queue.cancel(jobId);
    }

    @Override
    public CancelResult requestCancel(long jobId) {
        return queue.requestCancel(jobId);
    }

    @Override
    public Optional<Job> get(long jobId) {
        return queue.get(jobId);
    }

    @Override
    public List<QueueCounts> counts() {
        return queue.counts();
    }

    @Override
    public List<Job> stuckJobs(Duration runningLongerThan, int limit) {
        return queue.stuckJobs(runningLongerThan, limit);
    }

    /**
     * An actual transaction, or transaction synchronization with a connection already bound to
     * this data source (a {@code SUPPORTS} scope that touched the database).
     */
    private boolean inTransaction() {
        return TransactionSynchronizationManager.isActualTransactionActive()
                || TransactionSynchronizationManager.hasResource(dataSource);
    }

    /** Operator controls are not transactional: each runs in a transaction of its own, as on the delegate. */
    @Override
    public boolean pause(String queueName) {
        return queue.pause(queueName);
    }

    @Override
    public boolean resume(String queueName) {
        return queue.resume(queueName);
    }

    @Override
    public java.util.Set<String> paused() {
        return queue.paused();
    }

    @Override
    public void limitConcurrency(String queueName, int maxRunning) {
        queue.limitConcurrency(queueName, maxRunning);
    }

    @Override
    public void limitRate(String queueName, dev.opskit.jobqueue.RateLimit limit) {
        queue.limitRate(queueName, limit);
    }

    @Override
    public void removeLimits(String queueName) {
        queue.removeLimits(queueName);
    }

    @Override
    public List<dev.opskit.jobqueue.QueueControl> controls() {
        return queue.controls();
    }

    @Override
    public String toString() {
        return "SpringJobQueue[" + queue.schema() + "]";
    }
}
