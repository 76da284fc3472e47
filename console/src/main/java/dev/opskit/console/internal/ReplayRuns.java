package dev.opskit.console.internal;

import dev.opskit.deadletter.ReplayAllRun;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** The replay-all runs started through this console, newest last; the last {@value #KEEP} are kept for their progress. */
final class ReplayRuns {
    static final int KEEP = 20;

    record Tracked(long id, ReplayAllRun run, String filter, boolean dryRun, String startedBy, Instant startedAt) {
    }

    private final Map<Long, Tracked> runs = new LinkedHashMap<>();

    synchronized void add(Tracked t) {
        runs.remove(t.id());
        runs.put(t.id(), t);
        while (runs.size() > KEEP) {
            runs.remove(runs.keySet().iterator().next());
        }
    }

    synchronized @Nullable Tracked get(long id) {
        return runs.get(id);
    }

    /** Newest first. */
    synchronized List<Tracked> all() {
        List<Tracked> out = new ArrayList<>(runs.values());
        java.util.Collections.reverse(out);
        return out;
    }
}
