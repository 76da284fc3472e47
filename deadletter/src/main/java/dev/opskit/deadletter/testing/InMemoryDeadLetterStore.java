package dev.opskit.deadletter.testing;

import dev.opskit.deadletter.DeadLetter;
import dev.opskit.deadletter.DeadLetterMetrics;
import dev.opskit.deadletter.internal.DeadLetterMeters;
import dev.opskit.deadletter.internal.MeteredStore;
import dev.opskit.deadletter.DeadLetterPage;
import dev.opskit.deadletter.DeadLetterQuery;
import dev.opskit.deadletter.DeadLetterStatus;
import dev.opskit.deadletter.DeadLetterStore;
import dev.opskit.deadletter.NewDeadLetter;
import dev.opskit.deadletter.ReplayAllRequest;
import dev.opskit.deadletter.ReplayAllRun;
import dev.opskit.deadletter.ReplayOutcome;
import dev.opskit.deadletter.ReplayProgress;
import dev.opskit.deadletter.ReplayResult;
import dev.opskit.deadletter.ReplayTarget;
import dev.opskit.deadletter.SourceStats;
import dev.opskit.deadletter.internal.RunHandle;
import dev.opskit.deadletter.internal.TargetRegistry;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-memory {@link DeadLetterStore} for tests of code that adds or replays dead letters. It
 * passes the same contract tests as {@link dev.opskit.deadletter.PostgresDeadLetterStore}, with
 * these differences: nothing survives the JVM, {@code add(tx, letter)} ignores {@code tx} and adds
 * at once, targets receive {@code tx = null}, and replay-all runs are not persisted (a run cannot
 * be resumed after a crash). Time comes from the given {@link Clock}, so tests can move it.
 *
 * <pre>{@code
 * InMemoryDeadLetterStore store = new InMemoryDeadLetterStore();
 * List<DeadLetter> replayed = new ArrayList<>();
 * store.registerReplayTarget("jobqueue:*", (tx, letter) -> { replayed.add(letter); return "job-1"; });
 * }</pre>
 *
 * Thread-safe: every operation holds the store's lock, except calls to replay targets.
 */
public final class InMemoryDeadLetterStore implements DeadLetterStore, MeteredStore {
    private static final Logger log = LoggerFactory.getLogger(InMemoryDeadLetterStore.class);

    private final Clock clock;
    private final DeadLetterMeters metrics = new DeadLetterMeters();
    private final TreeMap<Long, DeadLetter> letters = new TreeMap<>();
    /** Letters being handed over right now (the fake's row locks). */
    private final Set<Long> locked = new HashSet<>();
    private final TargetRegistry targets = new TargetRegistry();
    private final AtomicLong nextId = new AtomicLong(1);
    private final AtomicLong nextRunId = new AtomicLong(1);

    /** A store on the system clock. */
    public InMemoryDeadLetterStore() {
        this(Clock.systemUTC());
    }

    /**
     * A store on {@code clock}. Its meters: {@code new DeadLetterMetrics(store).bindTo(registry)},
     * as for the real store; the size gauges refresh on each {@link #refreshMetrics()} call.
     */
    public InMemoryDeadLetterStore(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
    }

    /** Sets the size gauges from the current letters. No-op before a {@link DeadLetterMetrics} binding. */
    public void refreshMetrics() {
        if (metrics.enabled()) {
            metrics.refresh(stats(), clock.instant());
        }
    }

    /** Internal: {@link DeadLetterMetrics} binds it. */
    @Override
    public DeadLetterMeters meters() {
        return metrics;
    }

    /** Internal: the fake refreshes on {@link #refreshMetrics()} calls only, driven by the test. */
    @Override
    public void startMetricsRefresh(Duration interval) {
    }

    /** Every letter, any status, in id order; a copy. */
    public synchronized List<DeadLetter> all() {
        return new ArrayList<>(letters.values());
    }

    /** Adds at once; {@code tx} is ignored and may be null. */
    @Override
    public long add(@Nullable Connection tx, NewDeadLetter letter) {
        return add(letter);
    }

    @Override
    public synchronized long add(NewDeadLetter n) {
        Objects.requireNonNull(n, "letter must not be null");
        long id = nextId.getAndIncrement();
        letters.put(id, new DeadLetter(id, n.source(), n.kind(), n.payload(), n.headers(), n.idempotencyKey(), n.errorType(),
                n.causeType(), n.message(), n.stackTrace(), n.errorHistory(), n.attempts(), n.firstFailedAt(), n.lastFailedAt(),
                n.diedAt() == null ? clock.instant() : n.diedAt(), n.reason(), n.reasonDetail(), n.replayOf(),
                DeadLetterStatus.DEAD, 0, null, null, null));
        metrics.added(n.source(), n.reason());
        return id;
    }

    @Override
    public synchronized Optional<DeadLetter> get(long id) {
        return Optional.ofNullable(letters.get(id));
    }

    @Override
    public synchronized DeadLetterPage list(DeadLetterQuery query) {
        Objects.requireNonNull(query, "query must not be null");
        List<DeadLetter> out = new ArrayList<>();
        for (DeadLetter l : letters.tailMap(query.afterId(), false).values()) {
            if (query.matches(l)) {
                out.add(l);
                if (out.size() > query.limit()) {
                    break;
                }
            }
        }
        boolean more = out.size() > query.limit();
        return new DeadLetterPage(more ? out.subList(0, query.limit()) : out, more);
    }

    @Override
    public synchronized long count(DeadLetterQuery query) {
        Objects.requireNonNull(query, "query must not be null");
        return letters.values().stream().filter(query::matches).count();
    }

    @Override
    public synchronized List<SourceStats> stats() {
        Map<String, long[]> counts = new TreeMap<>();
        Map<String, Instant> oldest = new TreeMap<>();
        for (DeadLetter l : letters.values()) {
            long[] c = counts.computeIfAbsent(l.source(), k -> new long[2]);
            if (l.isWaiting()) {
                c[0]++;
                oldest.merge(l.source(), l.diedAt(), (a, b) -> a.isBefore(b) ? a : b);
            } else {
                c[1]++;
            }
        }
        List<SourceStats> out = new ArrayList<>();
        counts.forEach((s, c) -> out.add(new SourceStats(s, c[0], c[1], oldest.get(s))));
        return out;
    }

    @Override
    public void registerReplayTarget(String sourcePattern, ReplayTarget target) {
        targets.register(sourcePattern, target);
    }

    @Override
    public boolean hasReplayTarget(String source) {
        Objects.requireNonNull(source, "source must not be null");
        return targets.resolve(source).isPresent();
    }

    @Override
    public ReplayResult replay(long id) {
        ReplayResult r = replayOne(id);
        count(r.outcome());
        return r;
    }

    private ReplayResult replayOne(long id) {
        DeadLetter letter;
        synchronized (this) {
            letter = letters.get(id);
            if (letter == null) {
                return new ReplayResult(id, null, ReplayOutcome.NOT_FOUND, "no dead letter with id " + id, null);
            }
            if (letter.status() == DeadLetterStatus.REPLAYED) {
                return new ReplayResult(id, letter.source(), ReplayOutcome.ALREADY_REPLAYED, "letter " + id + " was already replayed", null);
            }
            if (!locked.add(id)) {
                return new ReplayResult(id, letter.source(), ReplayOutcome.BUSY,
                        "letter " + id + " is being replayed by another replay right now", null);
            }
        }
        try {
            Optional<ReplayTarget> target = targets.resolve(letter.source());
            if (target.isEmpty()) {
                String msg = TargetRegistry.noTargetMessage(letter.source());
                update(id, l -> with(l, l.status(), l.replayCount(), l.lastReplayedAt(), l.lastReplayRef(), msg));
                return new ReplayResult(id, letter.source(), ReplayOutcome.NO_TARGET, msg, null);
            }
            String ref;
            try {
                ref = target.get().accept(null, letter);
            } catch (Exception e) {
                String msg = e.getClass().getName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
                update(id, l -> with(l, l.status(), l.replayCount(), l.lastReplayedAt(), l.lastReplayRef(), msg));
                return new ReplayResult(id, letter.source(), ReplayOutcome.FAILED, msg, null);
            }
            Instant now = clock.instant();
            boolean stillThere = update(id, l -> with(l, DeadLetterStatus.REPLAYED, l.replayCount() + 1, now, ref, null));
            if (!stillThere) {
                log.warn("in-memory dead letters - letter {} was deleted while it was replayed", id);
            }
            return new ReplayResult(id, letter.source(), ReplayOutcome.REPLAYED, null, ref);
        } finally {
            synchronized (this) {
                locked.remove(id);
            }
        }
    }

    private synchronized boolean update(long id, java.util.function.UnaryOperator<DeadLetter> change) {
        DeadLetter l = letters.get(id);
        if (l == null) {
            return false;
        }
        letters.put(id, change.apply(l));
        return true;
    }

    private static DeadLetter with(DeadLetter l, DeadLetterStatus status, int replayCount, @Nullable Instant lastReplayedAt,
                                   @Nullable String ref, @Nullable String error) {
        return new DeadLetter(l.id(), l.source(), l.kind(), l.payload(), l.headers(), l.idempotencyKey(), l.errorType(),
                l.causeType(), l.message(), l.stackTrace(), l.errorHistory(), l.attempts(), l.firstFailedAt(), l.lastFailedAt(), l.diedAt(),
                l.reason(), l.reasonDetail(), l.replayOf(), status, replayCount, lastReplayedAt, ref, error);
    }

    @Override
    public ReplayAllRun startReplayAll(ReplayAllRequest request) {
        Objects.requireNonNull(request, "request must not be null");
        List<Long> snapshot;
        synchronized (this) {
            snapshot = letters.values().stream().filter(request.filter()::matches).map(DeadLetter::id).toList();
        }
        RunHandle handle = new RunHandle(nextRunId.getAndIncrement(), snapshot.size(), 0, 0);
        Thread t = new Thread(() -> {
            RunHandle.Pacer pacer = new RunHandle.Pacer(request.ratePerSecond());
            try {
                for (Long id : snapshot) {
                    if (handle.cancelRequested()) {
                        handle.end(ReplayProgress.State.CANCELLED, null);
                        return;
                    }
                    DeadLetter l = get(id).orElse(null);
                    if (l == null || !l.isWaiting()) {
                        continue;
                    }
                    if (request.dryRun()) {
                        boolean ok = targets.resolve(l.source()).isPresent();
                        handle.add(ok ? 1 : 0, ok ? 0 : 1);
                        continue;
                    }
                    ReplayOutcome o = replay(id).outcome();
                    if (o == ReplayOutcome.REPLAYED) {
                        handle.add(1, 0);
                    } else if (o == ReplayOutcome.FAILED || o == ReplayOutcome.NO_TARGET) {
                        handle.add(0, 1);
                    }
                    pacer.pace(1, handle);
                }
                handle.end(ReplayProgress.State.FINISHED, null);
            } catch (InterruptedException e) {
                handle.end(ReplayProgress.State.CANCELLED, null);
            } catch (RuntimeException | Error e) {
                // an Error from a target too: a run left RUNNING would make its callers wait forever
                handle.end(ReplayProgress.State.FAILED, e);
            }
        }, "opskit-deadletter-replay-" + handle.runId());
        t.setDaemon(true);
        t.start();
        return handle;
    }

    @Override
    public long cleanupReplayed(Duration olderThan) {
        requireAge("olderThan", olderThan);
        Instant cutoff = clock.instant().minus(olderThan);
        // a replayed letter always has lastReplayedAt here; the null check is the SQL's (NULL <= cutoff is not true)
        return remove("cleanup", l -> l.status() == DeadLetterStatus.REPLAYED && l.lastReplayedAt() != null
                && !l.lastReplayedAt().isAfter(cutoff));
    }

    @Override
    public long purgeOlderThan(Duration age) {
        requireAge("age", age);
        Instant cutoff = clock.instant().minus(age);
        return remove("age", l -> l.diedAt().isBefore(cutoff));
    }

    @Override
    public synchronized long enforceCap(long maxLetters) {
        if (maxLetters < 0) {
            throw new IllegalArgumentException("maxLetters must be 0 or more, but was " + maxLetters);
        }
        long excess = letters.size() - maxLetters;
        if (excess <= 0) {
            return 0;
        }
        Set<Long> doomed = new HashSet<>(letters.keySet().stream().limit(excess).toList());
        return remove("cap", l -> doomed.contains(l.id()));
    }

    @Override
    public synchronized boolean delete(long id) {
        return remove("manual", l -> l.id() == id) > 0;
    }

    private synchronized long remove(String cause, java.util.function.Predicate<DeadLetter> which) {
        List<DeadLetter> doomed = letters.values().stream().filter(which).toList();
        Map<String, Long> bySource = new TreeMap<>();
        for (DeadLetter l : doomed) {
            letters.remove(l.id());
            bySource.merge(l.source(), 1L, Long::sum);
        }
        metrics.removed(cause, doomed.size());
        if (!doomed.isEmpty()) {
            log.info("in-memory dead letters - removed {} letters (cause {}): {}", doomed.size(), cause, bySource);
        }
        return doomed.size();
    }

    private static void requireAge(String what, Duration d) {
        Objects.requireNonNull(d, what + " must not be null");
        if (d.isNegative()) {
            throw new IllegalArgumentException(what + " must not be negative, but was " + d);
        }
    }

    private void count(ReplayOutcome outcome) {
        metrics.replayed(outcome);
    }

    @Override
    public void close() {
        // nothing runs in the background but replay-all threads, which end on their own
    }

}
