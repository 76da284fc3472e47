package dev.opskit.deadletter;

import java.sql.Connection;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Durable storage for work that failed for good, with replay and retention.
 *
 * <p>Implementations: {@link PostgresDeadLetterStore} and, for tests,
 * {@link dev.opskit.deadletter.testing.InMemoryDeadLetterStore}; both pass the same contract tests.
 * All methods are thread-safe. Database failures surface as {@link DeadLetterException} naming the
 * operation.
 */
public interface DeadLetterStore extends AutoCloseable {

    /**
     * Adds a letter inside the caller's transaction: it becomes visible when the caller commits and
     * vanishes if the caller rolls back. The store neither commits nor closes {@code tx}. The
     * in-memory store ignores {@code tx} (may be null) and adds at once.
     *
     * @return the new letter's id
     * @throws DeadLetterException when the insert fails (the caller's transaction is then aborted)
     */
    long add(Connection tx, NewDeadLetter letter);

    /**
     * Adds a letter in its own transaction.
     *
     * @return the new letter's id
     */
    long add(NewDeadLetter letter);

    /** The letter with this id, any status. */
    Optional<DeadLetter> get(long id);

    /** One page of the letters matching {@code query}, in increasing id order. */
    DeadLetterPage list(DeadLetterQuery query);

    /** Number of letters matching {@code query}'s filters (its page bounds are ignored). */
    long count(DeadLetterQuery query);

    /** Counts per source, sorted by source. Sources with no letters left are absent. */
    List<SourceStats> stats();

    /**
     * Registers the target for letters whose source equals {@code sourcePattern}, or starts with its
     * prefix when it ends in {@code *} ({@code jobqueue:*}). An exact pattern wins over a prefix;
     * a longer prefix wins over a shorter one. Registering the same pattern again replaces the target.
     *
     * @throws IllegalArgumentException when the pattern is blank or has a {@code *} anywhere but at its end
     */
    void registerReplayTarget(String sourcePattern, ReplayTarget target);

    /** True when a target is registered for {@code source}. */
    boolean hasReplayTarget(String source);

    /**
     * Replays one letter: hands it to its source's target and, when accepted, marks it replayed
     * (in the same transaction for PostgreSQL). Never throws for a letter-level problem; the result
     * says what happened. Concurrent replays of the same letter hand it over once.
     */
    ReplayResult replay(long id);

    /** Replays each id in turn, in the given order; one result per id. */
    List<ReplayResult> replay(Collection<Long> ids);

    /**
     * Starts a replay-all run on its own thread (named {@code opskit-deadletter-replay-<runId>}) and
     * returns at once. The PostgreSQL store persists the run, so a run killed mid-way is resumed by the
     * next {@code startReplayAll} with the same filter: nothing is lost and nothing handed over twice.
     *
     * @throws DeadLetterException when another live process is running a run with the same filter
     */
    ReplayAllRun startReplayAll(ReplayAllRequest request);

    /**
     * Runs a replay-all to the end on the calling thread.
     *
     * @return the final progress
     */
    default ReplayProgress replayAll(ReplayAllRequest request) {
        ReplayAllRun run = startReplayAll(request);
        try {
            while (true) {
                ReplayProgress p = run.await(Duration.ofMinutes(1));
                if (p.state() != ReplayProgress.State.RUNNING) {
                    return p;
                }
            }
        } catch (InterruptedException e) {
            run.cancel();
            Thread.currentThread().interrupt();
            throw new DeadLetterException("replay-all run " + run.progress().runId() + " interrupted; it was cancelled", e);
        }
    }

    /**
     * Deletes replayed letters last replayed more than {@code olderThan} ago ({@link Duration#ZERO}: all of them).
     *
     * @return how many were deleted (counted as removed by cause {@code cleanup})
     */
    long cleanupReplayed(Duration olderThan);

    /**
     * Deletes letters of any status that died more than {@code age} ago, in batches so concurrent
     * inserts never wait long. Every deleted letter is counted (cause {@code age}) and logged per source.
     *
     * @return how many were deleted
     */
    long purgeOlderThan(Duration age);

    /**
     * Deletes the oldest letters (any status, by id) beyond the newest {@code maxLetters}, in batches.
     * Counted (cause {@code cap}) and logged per source.
     *
     * @return how many were deleted
     */
    long enforceCap(long maxLetters);

    /** Deletes one letter on purpose (cause {@code manual}). Returns false when there was none. */
    boolean delete(long id);

    /** Stops background work (metrics refresh, running replay-all runs are cancelled). Idempotent. */
    @Override
    void close();
}
