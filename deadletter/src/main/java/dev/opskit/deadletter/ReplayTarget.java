package dev.opskit.deadletter;

import java.sql.Connection;
import org.jspecify.annotations.Nullable;

/**
 * Where replayed letters of a source go: the job queue enqueues a new job, an application might
 * re-deliver a webhook. Register one per source or source prefix with
 * {@link DeadLetterStore#registerReplayTarget(String, ReplayTarget)}, or ship a
 * {@link ReplayTargetProvider} so the command line finds it on the classpath.
 *
 * <h2>Transactions</h2>
 * The PostgreSQL store calls {@code accept} inside its own transaction, in which the letter's row
 * is locked and, when {@code accept} returns, marked replayed. A target that writes to the same
 * database must use {@code tx} (and must not commit, roll back or close it): then the hand-over
 * and the status change commit together, so a crash or a concurrent replay never hands a letter
 * over twice. Such a target should say so with {@link #joinsTransaction()} (or be wrapped with
 * {@link #transactional(ReplayTarget)}): replay-all then hands over a whole batch of letters per
 * transaction, which is much faster; if one letter of the batch fails, the batch is rolled back
 * and done again one letter per transaction, so the target may be called again for letters whose
 * first call was rolled back.
 *
 * <p>A target that talks to something else (HTTP) keeps the default {@code joinsTransaction() ==
 * false}: every letter gets a transaction of its own, and the target is called once per letter and
 * replay; but if the process dies after the call and before the commit, the letter is still
 * waiting and will be handed over again, so such targets should pass
 * {@link DeadLetter#idempotencyKey()} on. The in-memory store passes {@code tx = null}.
 *
 * <h2>Attempts</h2>
 * A manual replay does not spend an attempt: the target should give the new work a fresh attempt
 * budget; the letter's own {@code attempts} never changes.
 *
 * <h2>Threads</h2>
 * Called on the thread that asked for the replay (the caller of {@code replay}, or the replay-all
 * run's thread), one letter at a time per run; implementations must be thread-safe when several
 * runs may be active.
 */
@FunctionalInterface
public interface ReplayTarget {
    /**
     * Hands {@code letter} over.
     *
     * @param tx the store's open transaction (PostgreSQL store), or null (in-memory store)
     * @param letter the letter, read under a row lock; its status is still {@link DeadLetterStatus#DEAD}
     * @return a short reference to what was made (for example the new job's id), shown by {@code show}; may be null
     * @throws Exception to refuse or fail: the letter stays waiting, the replay counts as failed and the
     *                   exception's message is kept as {@link DeadLetter#lastReplayError()}
     */
    @Nullable String accept(@Nullable Connection tx, DeadLetter letter) throws Exception;

    /**
     * True when everything this target does goes through {@code tx}, so rolling the transaction back
     * undoes the hand-over completely. Default false. See the class comment for what it changes.
     */
    default boolean joinsTransaction() {
        return false;
    }

    /**
     * {@code target}, declared to do all its work through {@code tx} ({@link #joinsTransaction()} true).
     *
     * <pre>{@code
     * store.registerReplayTarget("jobqueue:*", ReplayTarget.transactional((tx, letter) -> enqueue(tx, letter)));
     * }</pre>
     */
    static ReplayTarget transactional(ReplayTarget target) {
        java.util.Objects.requireNonNull(target, "target must not be null");
        return new ReplayTarget() {
            @Override
            public @Nullable String accept(@Nullable Connection tx, DeadLetter letter) throws Exception {
                return target.accept(tx, letter);
            }

            @Override
            public boolean joinsTransaction() {
                return true;
            }

            @Override
            public String toString() {
                return "transactional(" + target + ")";
            }
        };
    }
}
