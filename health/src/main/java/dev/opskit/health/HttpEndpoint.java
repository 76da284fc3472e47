package dev.opskit.health;

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
}
