/**
 * Internal, not API: OpenTelemetry trace-context propagation shared by the job queue and the dead
 * letters. {@code opentelemetry-api} is an optional dependency; {@link dev.opskit.core.internal.trace.Traces}
 * touches no OpenTelemetry class when it is absent.
 */
@NullMarked
package dev.opskit.core.internal.trace;

import org.jspecify.annotations.NullMarked;
