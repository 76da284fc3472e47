/**
 * Graceful shutdown: phases run in order within one deadline ({@code GracefulShutdown},
 * {@code ShutdownPhase}, {@code Drainable}), with a SIGTERM hook and a {@code ShutdownReport}.
 */
package dev.opskit.core.shutdown;
