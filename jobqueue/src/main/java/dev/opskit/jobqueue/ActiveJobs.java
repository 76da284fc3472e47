package dev.opskit.jobqueue;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The executions this worker claimed whose outcome is not stored yet, by job id: what the lease
 * keeper extends, the timeout sweep watches and a shutdown hands back. Thread-safe.
 *
 * <p>An entry is removed only together with the execution it holds ({@link #remove(Execution)}).
 * Once an outcome is stored, the job can be claimed again by this very worker (a retry due at
 * once, a hand-back) before the completer gets to remove the old execution; removing by id alone
 * would then drop the newer execution, which would run on without lease extension and be
 * invisible to a shutdown.
 */
final class ActiveJobs {
    private final Map<Long, Execution> byId = new ConcurrentHashMap<>();

    void add(Execution e) {
        byId.put(e.id(), e);
    }

    /** Removes {@code e}, and nothing when a newer execution of the same job took its place. */
    void remove(Execution e) {
        byId.remove(e.id(), e);
    }

    int size() {
        return byId.size();
    }

    boolean isEmpty() {
        return byId.isEmpty();
    }

    /** A weakly consistent view (iteration never fails while executions come and go). */
    Collection<Execution> all() {
        return byId.values();
    }

    List<Execution> snapshot() {
        return new ArrayList<>(byId.values());
    }

    /** True when no execution's handler is running. */
    boolean noneStarted() {
        for (Execution e : byId.values()) {
            if (e.isStarted()) {
                return false;
            }
        }
        return true;
    }
}
