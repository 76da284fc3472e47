package dev.opskit.jobqueue;

import dev.opskit.core.jdbc.Jdbc;
import dev.opskit.jobqueue.internal.PgStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * One timer thread ({@code opskit-jobqueue-timer}) with two tasks over this worker's
 * {@link ActiveJobs}: every third of the lease it extends the leases of all of them in one
 * statement, and every {@value #TIMEOUT_SWEEP_MS} ms it interrupts the handlers that ran past their
 * timeout (one sweep for all, rather than a timer task per job: cheaper at thousands of jobs per
 * second). A lease that could not be extended is not an error here: the job is being completed
 * right now (its row is locked and skipped), or it was rescued, which the fenced outcome
 * statement will tell and log.
 *
 * <p>The extension also returns, per job, whether a cancel was requested for it
 * ({@code cancel_requested_at}, set by {@code JobQueue.requestCancel} from any process): the
 * keeper passes it to the job's {@link Execution}, which interrupts the handler. So a cancel
 * reaches its worker within one extension interval (a third of the lease) and costs no query of
 * its own. Only the current claim learns of it: the statement is fenced by the claim's token.
 */
final class LeaseKeeper {
    private static final Logger log = LoggerFactory.getLogger(LeaseKeeper.class);
    private static final long TIMEOUT_SWEEP_MS = 50;

    private final String workerId;
    private final DataSource dataSource;
    private final PgStore store;
    private final Duration lease;
    private final ActiveJobs active;
    private final ScheduledThreadPoolExecutor timer;

    LeaseKeeper(String workerId, DataSource dataSource, PgStore store, Duration lease, ActiveJobs active) {
        this.workerId = workerId;
        this.dataSource = dataSource;
        this.store = store;
        this.lease = lease;
        this.active = active;
        this.timer = new ScheduledThreadPoolExecutor(1, r -> StopSignals.daemon(r, "opskit-jobqueue-timer"));
        timer.setRemoveOnCancelPolicy(true);
    }

    void start() {
        long every = Math.max(100, lease.toMillis() / 3);
        timer.scheduleWithFixedDelay(this::extendLeases, every, every, TimeUnit.MILLISECONDS);
        timer.scheduleWithFixedDelay(this::interruptOverdue, TIMEOUT_SWEEP_MS, TIMEOUT_SWEEP_MS, TimeUnit.MILLISECONDS);
    }

    void stop() {
        timer.shutdownNow();
    }

    private void interruptOverdue() {
        long now = System.nanoTime();
        for (Execution e : active.all()) {
            if (now - e.deadline > 0) {
                e.interruptForTimeout();
            }
        }
    }

    private void extendLeases() {
        if (active.isEmpty()) {
            return;
        }
        List<Execution> running = active.snapshot();
        long[] ids = new long[running.size()];
        long[] tokens = new long[running.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = running.get(i).id();
            tokens[i] = running.get(i).token();
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (Statement st = c.createStatement()) {
                    st.execute("SET LOCAL synchronous_commit TO OFF");
                }
                List<PgStore.Extended> extended = store.extend(c, ids, tokens, lease);
                c.commit();
                Set<Long> kept = new HashSet<>();
                Set<Long> cancel = new HashSet<>();
                for (PgStore.Extended x : extended) {
                    kept.add(x.id());
                    if (x.cancelRequested()) {
                        cancel.add(x.id());
                    }
                }
                if (!cancel.isEmpty()) {
                    for (Execution e : running) {
                        if (cancel.contains(e.id()) && e.requestCancel()) {
                            log.info("{} - job {} ({}): cancel requested, interrupting its handler", workerId, e.id(), e.job().kind());
                        }
                    }
                }
                if (log.isDebugEnabled()) {
                    for (Execution e : running) {
                        if (!kept.contains(e.id())) {
                            log.debug("{} - job {} ({}): lease not extended (completing, or lost)", workerId, e.id(), e.job().kind());
                        }
                    }
                }
            } catch (SQLException | RuntimeException e) {
                Jdbc.rollbackQuietly(c);
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException | RuntimeException e) {
            log.warn("{} - extending the leases of {} jobs failed: {}", workerId, ids.length, e.toString());
        }
    }
}
