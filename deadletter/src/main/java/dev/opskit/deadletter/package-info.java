/**
 * Dead letters: durable storage for work that failed for good, with replay and retention.
 *
 * <p>Start with {@link dev.opskit.deadletter.DeadLetterStore} and its PostgreSQL implementation
 * {@link dev.opskit.deadletter.PostgresDeadLetterStore}; letters are built with
 * {@link dev.opskit.deadletter.NewDeadLetter#builder(String, String)} and replayed through a
 * {@link dev.opskit.deadletter.ReplayTarget} registered per source. Tests use
 * {@link dev.opskit.deadletter.testing.InMemoryDeadLetterStore}. The operator's command line is
 * {@link dev.opskit.deadletter.cli.DeadLetterCli}.
 *
 * <p>Nulls: public methods reject null arguments with {@link java.lang.NullPointerException} naming
 * the argument, unless their Javadoc says null is allowed; record fields that may be absent say so.
 */
@NullMarked
package dev.opskit.deadletter;

import org.jspecify.annotations.NullMarked;
