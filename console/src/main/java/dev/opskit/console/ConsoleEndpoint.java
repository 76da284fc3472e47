package dev.opskit.console;

import dev.opskit.console.internal.Api;
import dev.opskit.console.internal.Auth;
import dev.opskit.deadletter.DeadLetterStore;
import dev.opskit.health.EndpointRequest;
import dev.opskit.health.EndpointResponse;
import dev.opskit.health.HttpEndpoint;
import dev.opskit.jobqueue.PostgresJobQueue;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's console of a job queue and its dead letters: one web page (HTML, CSS and plain
 * JavaScript from this jar; it loads nothing from the network, so it works offline) and the JSON API
 * it uses, under a base path (default {@value #DEFAULT_BASE_PATH}).
 *
 * <pre>{@code
 * ConsoleEndpoint console = ConsoleEndpoint.builder(queue)           // a PostgresJobQueue
 *         .token("ops", System.getenv("OPSKIT_CONSOLE_TOKEN"))        // none: read-only
 *         .build();
 * HealthServer.Builder server = HealthServer.builder(healthEndpoint).port(8081);
 * console.routes().forEach(server::route);                          // next to the probes
 * server.build().start();                                           // http://localhost:8081/console
 * }</pre>
 *
 * <p>Reads ({@code GET}) are open to whoever reaches the port: mount it on an internal port or
 * bind it to loopback. Actions ({@code POST}: cancel a job, replay dead letters, replay all
 * matching, cancel a replay-all, clean up) need the header {@code X-Opskit-Token} with a configured
 * token (compared in constant time), are refused when the {@code Origin} is another site, and are
 * logged at INFO (logger {@code dev.opskit.console.ConsoleEndpoint}) with the operator's name (header
 * {@code X-Opskit-Operator}, optional), the token's label, what was done and how it ended. Without a
 * token the console is read-only: actions answer 403. Disabled ({@link Builder#enabled(boolean)}),
 * it answers 404 to everything. Bad input answers 400 with
 * {@code {"error":...,"parameter":...,"value":...}}.
 *
 * <p>Thread-safe. Requests are answered on the caller's thread; the queue summary is a snapshot
 * refreshed in the background (thread {@code opskit-console-summary}) when it is older than
 * {@link Builder#summaryMaxAge(Duration)}, so a page never waits for a count over a large table.
 * {@link #close()} stops that thread.
 */
public final class ConsoleEndpoint implements HttpEndpoint, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConsoleEndpoint.class);
    /** Default base path: {@value}. */
    public static final String DEFAULT_BASE_PATH = "/console";
    /** Default age after which the queue summary is refreshed: 2 seconds. */
    public static final Duration DEFAULT_SUMMARY_MAX_AGE = Duration.ofSeconds(2);
    /** Shortest token accepted: {@value} characters. */
    public static final int MIN_TOKEN_LENGTH = 16;
    /** The header an action's token travels in. */
    public static final String TOKEN_HEADER = Auth.TOKEN_HEADER;
    /** The optional header with the name of the person acting, logged with each action. */
    public static final String OPERATOR_HEADER = Auth.OPERATOR_HEADER;
    private static final Pattern BASE_PATH = Pattern.compile("(/[A-Za-z0-9._~-]+)+");
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9._-]{1,40}");

    private final String basePath;
    private final boolean enabled;
    private final @Nullable Api api;

    private ConsoleEndpoint(Builder b) {
        this.basePath = b.basePath;
        this.enabled = b.enabled;
        DeadLetterStore letters = b.deadLetters != null ? b.deadLetters : b.queue.deadLetters();
        this.api = enabled ? new Api(b.basePath, b.queue, b.queue.dataSource(), b.queue.schema(), letters,
                new Auth(b.tokens, b.allowedOrigins), b.summaryMaxAge) : null;
        log.info("opskit console on {}: {}", basePath, !enabled ? "disabled (every path answers 404)"
                : b.tokens.isEmpty() ? "read-only (no action token configured)"
                : "actions allowed with tokens " + b.tokens.keySet() + (b.allowedOrigins.isEmpty() ? "" : ", also from origins " + b.allowedOrigins));
    }

    /** Starts configuring a console over {@code queue} and, unless {@link Builder#deadLetters} says otherwise, its dead-letter store. */
    public static Builder builder(PostgresJobQueue queue) {
        return new Builder(queue);
    }

    /** The base path, for example {@code /console}. */
    public String basePath() {
        return basePath;
    }

    /**
     * Every path the console answers, each mapped to this endpoint, for a router that matches
     * exact paths: {@code console.routes().forEach(healthServerBuilder::route)}. Empty when disabled.
     * (A servlet container maps {@code basePath + "/*"} and {@code basePath} instead.)
     */
    public Map<String, HttpEndpoint> routes() {
        Map<String, HttpEndpoint> out = new LinkedHashMap<>();
        if (api != null) {
            for (String p : api.paths()) {
                out.put(p, this);
            }
        }
        return out;
    }

    /** Answers a request for a path under the base path (any other path: 404). Never throws for bad input. */
    @Override
    public EndpointResponse handle(EndpointRequest request) {
        Objects.requireNonNull(request, "request must not be null");
        String path = request.path();
        boolean under = path.equals(basePath) || path.startsWith(basePath + "/");
        if (api == null || !under) {
            return EndpointResponse.of(404, "application/json; charset=utf-8",
                    api == null ? "{\"error\":\"the console is disabled\"}" : "{\"error\":\"not a console path\"}")
                    .withHeader("Cache-Control", "no-store");
        }
        return api.handle(request);
    }

    /** How many times {@code action} ended with {@code outcome} (see {@link ConsoleMetrics}); 0 for unknown names. */
    long actionCount(String action, String outcome) {
        return api == null ? 0 : api.count(action, outcome);
    }

    /** Stops the summary's background thread. Idempotent. */
    @Override
    public void close() {
        if (api != null) {
            api.close();
        }
    }

    /** Settings of a {@link ConsoleEndpoint}; every setter checks its value at once. Not thread-safe. */
    public static final class Builder {
        private final PostgresJobQueue queue;
        private @Nullable DeadLetterStore deadLetters;
        private String basePath = DEFAULT_BASE_PATH;
        private boolean enabled = true;
        private Duration summaryMaxAge = DEFAULT_SUMMARY_MAX_AGE;
        private final Map<String, String> tokens = new LinkedHashMap<>();
        private final Set<String> allowedOrigins = new LinkedHashSet<>();

        private Builder(PostgresJobQueue queue) {
            this.queue = Objects.requireNonNull(queue, "queue must not be null");
        }

        /** The dead-letter store to show and replay. Default: {@code queue.deadLetters()}. */
        public Builder deadLetters(DeadLetterStore store) {
            this.deadLetters = Objects.requireNonNull(store, "deadLetters must not be null");
            return this;
        }

        /** Where the console lives, for example {@code /ops/console}. Default {@value ConsoleEndpoint#DEFAULT_BASE_PATH}. */
        public Builder basePath(String path) {
            Objects.requireNonNull(path, "basePath must not be null");
            if (!BASE_PATH.matcher(path).matches()) {
                throw new IllegalArgumentException("basePath must look like /console or /ops/console (no trailing /), but was '" + path + "'");
            }
            this.basePath = path;
            return this;
        }

        /** {@code false}: the console answers 404 to every path and {@link #routes()} is empty. Default {@code true}. */
        public Builder enabled(boolean enabled) {
            this.enabled = enabled;
            return this;
        }

        /**
         * Allows actions with {@code token}, logged under {@code label} (for example {@code "ops"} or
         * a person's name). Call once per token. A {@code null} or empty token is ignored, so
         * {@code token("ops", System.getenv("OPSKIT_CONSOLE_TOKEN"))} keeps the console read-only when
         * the variable is not set.
         *
         * @throws IllegalArgumentException when the token is shorter than {@value ConsoleEndpoint#MIN_TOKEN_LENGTH}
         *                                  characters or has whitespace (the message does not show it), or the label is
         *                                  not 1 to 40 letters, digits or {@code ._-}, or is taken
         */
        public Builder token(String label, @Nullable String token) {
            Objects.requireNonNull(label, "label must not be null");
            if (!LABEL.matcher(label).matches()) {
                throw new IllegalArgumentException("token label must be 1 to 40 letters, digits or ._-, but was '" + label + "'");
            }
            if (token == null || token.isEmpty()) {
                return this;
            }
            if (token.length() < MIN_TOKEN_LENGTH || token.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("console token '" + label + "' must be at least " + MIN_TOKEN_LENGTH
                        + " characters without whitespace, but was " + token.getBytes(StandardCharsets.UTF_8).length
                        + " bytes" + (token.chars().anyMatch(Character::isWhitespace) ? " with whitespace" : ""));
            }
            if (tokens.containsKey(label)) {
                throw new IllegalArgumentException("token label '" + label + "' is already used");
            }
            tokens.put(label, token);
            return this;
        }

        /**
         * Also accepts actions from pages served by {@code origin} (for example
         * {@code https://ops.example.com}, when a proxy serves the console under another name).
         * By default only the console's own origin (the request's {@code Host}) is accepted.
         */
        public Builder allowedOrigin(String origin) {
            Objects.requireNonNull(origin, "origin must not be null");
            if (!origin.matches("https?://[^/\\s]+")) {
                throw new IllegalArgumentException("origin must be scheme://host[:port] without a path, but was '" + origin + "'");
            }
            allowedOrigins.add(origin);
            return this;
        }

        /**
         * How old the queue summary may get before a request starts a refresh (the request itself gets
         * the current snapshot at once). {@link Duration#ZERO}: every request runs the count and waits
         * for it. Default 2 s; at most 10 minutes.
         */
        public Builder summaryMaxAge(Duration maxAge) {
            Objects.requireNonNull(maxAge, "summaryMaxAge must not be null");
            if (maxAge.isNegative() || maxAge.compareTo(Duration.ofMinutes(10)) > 0) {
                throw new IllegalArgumentException("summaryMaxAge must be between 0 and 10 minutes, but was " + maxAge);
            }
            this.summaryMaxAge = maxAge;
            return this;
        }

        /** The console. Touches no table and starts no thread. */
        public ConsoleEndpoint build() {
            return new ConsoleEndpoint(this);
        }
    }
}
