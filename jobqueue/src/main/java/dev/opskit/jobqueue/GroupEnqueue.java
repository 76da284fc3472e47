package dev.opskit.jobqueue;

import dev.opskit.jobqueue.internal.PgStore;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Group commit for {@link PostgresJobQueue#enqueue(JobRequest)}: calls that arrive while another
 * call's statement is in flight wait for it, and the first of them then inserts all waiting jobs
 * in one statement and one commit. A call that finds nothing in flight runs at once, alone, with
 * the single-row statement: one caller never waits for anybody.
 *
 * <p>Why: a one-job enqueue is one round trip and one commit, and with many request threads
 * enqueueing at once those commits queue up on the server one by one. Each caller still returns
 * only after its own job is committed, with its own id.
 *
 * <p>Failures stay per caller: when the group statement fails on the data (an SQL state of class
 * 22 or 23, such as a payload the server rejects), each job of the group is tried again alone, so
 * only the bad request fails. Any other failure (connection lost, server down) fails every call
 * of the group with it, as it would have failed each of them alone; nothing of the group was
 * stored, since the group is one statement in autocommit. Jobs with a unique key never join a
 * group: their insert has its own conflict handling.
 */
final class GroupEnqueue {
    /** The most jobs one group statement carries. */
    static final int MAX_GROUP = 500;

    private final DataSource dataSource;
    private final PgStore store;
    private final Predicate<String> shouldNotify;
    private final ArrayDeque<Pending> waiting = new ArrayDeque<>(); // guarded by this
    private boolean inFlight; // guarded by this
    private int largestGroup; // guarded by this

    GroupEnqueue(DataSource dataSource, PgStore store, Predicate<String> shouldNotify) {
        this.dataSource = dataSource;
        this.store = store;
        this.shouldNotify = shouldNotify;
    }

    /** One caller's request and, once {@code done}, its outcome. */
    private static final class Pending {
        final JobRequest request;
        boolean done; // guarded by the GroupEnqueue
        EnqueueResult result;
        SQLException error;

        Pending(JobRequest request) {
            this.request = request;
        }
    }

    /** The most calls one statement carried so far (for tests). */
    synchronized int largestGroup() {
        return largestGroup;
    }

    /** Calls waiting for the statement in flight (for tests). */
    synchronized int waitingCount() {
        return waiting.size();
    }

    EnqueueResult enqueue(JobRequest request) throws SQLException {
        Pending me = new Pending(request);
        List<Pending> group;
        boolean interrupted = false;
        synchronized (this) {
            waiting.addLast(me);
            while (inFlight && !me.done) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    if (waiting.remove(me)) { // nobody took it yet: leave without writing anything
                        Thread.currentThread().interrupt();
                        throw new SQLException("interrupted while waiting to enqueue; the job was not enqueued", "57014", e);
                    }
                    interrupted = true; // another call's statement carries this job: wait for its outcome
                }
            }
            if (!me.done) {
                inFlight = true;
                waiting.remove(me);
                group = new ArrayList<>(Math.min(waiting.size() + 1, MAX_GROUP));
                group.add(me);
                while (!waiting.isEmpty() && group.size() < MAX_GROUP) {
                    group.add(waiting.pollFirst());
                }
                largestGroup = Math.max(largestGroup, group.size());
            } else {
                group = null;
            }
        }
        if (group != null) {
            try {
                run(group);
            } finally {
                synchronized (this) {
                    inFlight = false;
                    for (Pending p : group) {
                        if (p.result == null && p.error == null) { // run() ended by an Error
                            p.error = new SQLException("enqueue did not complete; the job may or may not be stored");
                        }
                        p.done = true;
                    }
                    notifyAll();
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            if (me.error != null) {
                throw me.error;
            }
            return me.result;
        }
    }

    private void run(List<Pending> group) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            if (group.size() == 1) {
                one(c, group.get(0));
                return;
            }
            List<JobRequest> requests = new ArrayList<>(group.size());
            Set<String> notify = new LinkedHashSet<>();
            for (Pending p : group) {
                requests.add(p.request);
                if (!notify.contains(p.request.queue()) && shouldNotify.test(p.request.queue())) {
                    notify.add(p.request.queue());
                }
            }
            long[] ids;
            try {
                ids = store.enqueueGroup(c, requests, notify);
            } catch (SQLException e) {
                if (!isDataError(e)) {
                    throw e;
                }
                for (Pending p : group) { // find the bad request: each alone
                    one(c, p);
                }
                return;
            }
            for (int i = 0; i < ids.length; i++) {
                group.get(i).result = new EnqueueResult(ids[i], true);
            }
        } catch (SQLException e) {
            for (Pending p : group) {
                if (p.result == null && p.error == null) {
                    p.error = e;
                }
            }
        } catch (RuntimeException e) {
            for (Pending p : group) {
                if (p.result == null && p.error == null) {
                    p.error = new SQLException("enqueue failed: " + e, e);
                }
            }
        }
    }

    private void one(Connection c, Pending p) {
        try {
            p.result = store.enqueue(c, p.request, shouldNotify.test(p.request.queue()));
        } catch (SQLException e) {
            p.error = e;
        }
    }

    private static boolean isDataError(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("22") || state.startsWith("23"));
    }
}
