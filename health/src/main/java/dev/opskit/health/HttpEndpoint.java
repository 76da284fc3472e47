package dev.opskit.health;

import java.util.concurrent.CompletableFuture;

/**
 * A framework-neutral HTTP endpoint: a request in, a response out. {@link HealthEndpoint} is one;
 * {@link HealthServer} serves any number of them, and a servlet, Spring or Vert.x application can
 * call {@link #handle} from its own request handler (see the module README).
 *
 * <p>Implementations must be thread-safe and must not throw for bad input (answer 4xx instead);
 * {@link HealthServer} turns an exception that escapes into a 500 without a stack trace.
 */
@FunctionalInterface
public interface HttpEndpoint {

    /** Answers one request. Called on the HTTP server's threads. */
    EndpointResponse handle(EndpointRequest request);

    /**
     * Answers one request, possibly later. {@link HealthServer} calls this one; the default
     * answers at once with {@link #handle}. Override it when an answer may have to wait, so the
     * wait does not hold an HTTP thread (as {@link HealthEndpoint} does).
     */
    default CompletableFuture<EndpointResponse> handleAsync(EndpointRequest request) {
        return CompletableFuture.completedFuture(handle(request));
    }
}
