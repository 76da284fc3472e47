/**
 * Graceful shutdown: phases run in order within one deadline ({@code GracefulShutdown},
 * {@code ShutdownPhase}, {@code Drainable}), with a SIGTERM hook and a {@code ShutdownReport}.
 */
@NullMarked
package dev.opskit.core.shutdown;

import org.jspecify.annotations.NullMarked;
