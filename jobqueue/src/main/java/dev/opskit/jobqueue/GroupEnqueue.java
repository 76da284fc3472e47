package dev.opskit.jobqueue;

import dev.opskit.jobqueue.internal.PgStore;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Group commit for {@link PostgresJobQueue#enqueue(JobRequest)}: calls that arrive while
 * {@value #MAX_IN_FLIGHT} other calls' statements are in flight wait, and the first of them then
 * inserts all waiting jobs in one statement and one commit. A call that finds a free place runs at
 * once with what is waiting, alone when nothing is: one caller never waits for anybody.
 *
 * <p>Why: a one-job enqueue is one round trip and one commit, and with many request threads
 * enqueueing at once those commits queue up on the server one by one. Each caller still returns
 * only after its own job is committed, with its own id.
 *
 * <p>Failures stay per caller: when the group statement fails for any reason but a lost connection
 * (SQL state class 08, or none), for instance a payload rejected by a constraint or trigger of the
 * application's own, or a group too big for a limit of the server, each job of the group is tried
 * again alone, so only a bad request fails. A lost connection fails every call of the group with
 * it, as it would have failed each of them alone (and, as alone, a job may then be stored if the
 * connection broke after the server committed). Jobs with a unique key never join a group: their
 * insert has its own conflict handling.
 */
final class GroupEnqueue {
    /** Statements in flight at once; more callers wait and go in the next group. */
    static final int MAX_IN_FLIGHT = 2;
    /** The most jobs one group statement carries. */
    static final int MAX_GROUP = 500;
    /** The most payload characters one group statement carries (a single bigger job still goes, alone). */
    static final long MAX_GROUP_PAYLOAD_CHARS = 4L * 1024 * 1024;

    private final DataSource dataSource;
    private final PgStore store;
    private final Predicate<String> shouldNotify;
    // a lock, not a monitor, so waiting virtual threads do not pin their carrier
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition groupDone = lock.newCondition();
    private final ArrayDeque<Pending> waiting = new ArrayDeque<>(); // guarded by lock
    private int inFlight; // guarded by lock
    private int largestGroup; // guarded by lock

    GroupEnqueue(DataSource dataSource, PgStore store, Predicate<String> shouldNotify) {
        this.dataSource = dataSource;
        this.store = store;
        this.shouldNotify = shouldNotify;
    }

    /** One caller's request and its outcome, written by the group's leader before it sets {@code done} under lock. */
    private static final class Pending {
        final JobRequest request;
        boolean taken; // in a group, whose leader will set done
        boolean done;
        @Nullable EnqueueResult result;
        @Nullable SQLException error;

        Pending(JobRequest request) {
            this.request = request;
        }
    }

    /** The most calls one statement carried so far (for tests). */
    int largestGroup() {
        lock.lock();
        try {
            return largestGroup;
        } finally {
            lock.unlock();
        }
    }

    /** Calls waiting for a statement in flight (for tests). */
    int waitingCount() {
        lock.lock();
        try {
            return waiting.size();
        } finally {
            lock.unlock();
        }
    }

    EnqueueResult enqueue(JobRequest request) throws SQLException {
        Pending me = new Pending(request);
        List<Pending> group = null;
        boolean interrupted = false;
        lock.lock();
        try {
            waiting.addLast(me);
            while (!me.done && (me.taken || inFlight >= MAX_IN_FLIGHT)) {
                try {
                    groupDone.await();
                } catch (InterruptedException e) {
                    if (waiting.remove(me)) { // nobody took it yet: leave without writing anything
                        Thread.currentThread().interrupt();
                        throw new SQLException("interrupted while waiting to enqueue; the job was not enqueued", "57014", e);
                    }
                    interrupted = true; // another call's statement carries this job: wait for its outcome
                }
            }
            if (!me.done) { // neither taken nor done: lead a group of its own
                group = takeGroup(me);
                inFlight++; // last: nothing above can leave it raised without a group to lower it
            }
        } finally {
            lock.unlock();
        }
        if (group != null) {
            try {
                run(group);
            } finally {
                lock.lock();
                try {
                    inFlight--;
                    for (Pending p : group) {
                        if (p.result == null && p.error == null) { // run() ended by an Error
                            p.error = new SQLException("enqueue did not complete; the job may or may not be stored");
                        }
                        p.done = true;
                    }
                    groupDone.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        lock.lock();
        try {
            if (me.error != null) {
                throw me.error;
            }
            return Objects.requireNonNull(me.result, "a done call has a result or an error");
        } finally {
            lock.unlock();
        }
    }

    /** Under lock: {@code first} and the calls waiting longest, within the group's limits. */
    private List<Pending> takeGroup(Pending first) {
        waiting.remove(first);
        List<Pending> group = new ArrayList<>(Math.min(waiting.size() + 1, MAX_GROUP));
        group.add(first);
        first.taken = true;
        long chars = first.request.payload().length();
        while (!waiting.isEmpty() && group.size() < MAX_GROUP) {
            long next = waiting.peekFirst().request.payload().length();
            if (chars + next > MAX_GROUP_PAYLOAD_CHARS) {
                break;
            }
            chars += next;
            Pending p = waiting.pollFirst();
            p.taken = true;
            group.add(p);
        }
        largestGroup = Math.max(largestGroup, group.size());
        return group;
    }

    private void run(List<Pending> group) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            if (group.size() == 1) {
                Pending p = group.get(0);
                one(c, p, shouldNotify.test(p.request.queue()));
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
                // fails as a whole when a row was not stored (see PgStore.enqueueGroup): a group
                // never leaves rows behind for the retries below to insert a second time
                ids = store.enqueueGroup(c, requests, notify);
            } catch (SQLException | RuntimeException e) {
                // any failure of the group statement may be one caller's bad request: only a lost
                // connection fails them all (each would fail alone the same way)
                if (e instanceof SQLException sql && isConnectionLost(c, sql)) {
                    throw sql;
                }
                // each alone, so only a bad request fails; they keep the group's NOTIFY (its debounce is spent)
                for (Pending p : group) {
                    one(c, p, notify.contains(p.request.queue()));
                }
                return;
            }
            for (int i = 0; i < ids.length; i++) {
                group.get(i).result = new EnqueueResult(ids[i], true);
            }
        } catch (SQLException e) {
            fail(group, e);
        } catch (RuntimeException e) {
            fail(group, new SQLException("enqueue failed: " + e, e));
        }
    }

    private static void fail(List<Pending> group, SQLException e) {
        for (Pending p : group) {
            if (p.result == null && p.error == null) {
                p.error = e;
            }
        }
    }

    private void one(Connection c, Pending p, boolean notify) {
        try {
            p.result = store.enqueue(c, p.request, notify);
        } catch (SQLException e) {
            p.error = e;
        } catch (RuntimeException e) {
            p.error = new SQLException("enqueue failed: " + e, e);
        }
    }

    /**
     * Class 08 is a connection exception, 57P01-57P03 the server shutting down or not accepting
     * connections; a failure without a state counts as lost only when the connection is.
     */
    private static boolean isConnectionLost(Connection c, SQLException e) {
        String state = e.getSQLState();
        if (state != null) {
            return state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03");
        }
        try {
            return !c.isValid(2);
        } catch (SQLException notValid) {
            return true;
        }
    }
}
