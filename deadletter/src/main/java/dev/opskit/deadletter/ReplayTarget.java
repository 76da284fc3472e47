package dev.opskit.deadletter;

import java.sql.Connection;

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
 * over twice. A target that talks to something else (HTTP) runs while the row is locked; if the
 * process dies after the call but before the commit, the letter is still waiting and will be
 * handed over again, so such targets should pass {@link DeadLetter#idempotencyKey()} on.
 * The in-memory store passes {@code tx = null}.
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
    String accept(Connection tx, DeadLetter letter) throws Exception;
}
