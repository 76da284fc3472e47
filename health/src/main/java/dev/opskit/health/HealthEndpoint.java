package dev.opskit.health;

import dev.opskit.health.ReportRenderer.Format;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The health endpoints of a {@link HealthRegistry}, independent of any HTTP server.
 * {@link HealthServer} serves it on the JDK's built-in server; a servlet or another framework calls
 * {@link #handle} (see the README).
 *
 * <table>
 *   <caption>Paths (GET or HEAD; a trailing slash is ignored)</caption>
 *   <tr><td>{@code /health}</td><td>every check, JSON</td></tr>
 *   <tr><td>{@code /health/live}, {@code /health/ready}, {@code /health/started}</td><td>liveness, readiness, startup, JSON</td></tr>
 *   <tr><td>{@code /health/<group>}</td><td>a custom group, JSON</td></tr>
 *   <tr><td>{@code /livez}, {@code /readyz}</td><td>plain text {@code ok}; a line per check with {@code ?verbose}</td></tr>
 *   <tr><td>{@code /metrics}</td><td>Prometheus text, when a scrape function was given</td></tr>
 * </table>
 *
 * <p>JSON paths answer the opskit shape by default, the {@code application/health+json} draft
 * shape when the {@code Accept} header names {@code application/health+json} (or
 * {@code ?format=health+json}), and the MicroProfile Health shape with {@code ?format=microprofile}.
 * {@code ?fresh} runs the checks now instead of reading the latest results (concurrent requests
 * share one run of each check); by default only for requests that may see details. Waiting for a
 * run never holds a thread of {@link HealthServer}: see {@link #handleAsync}. Status codes: 200 for UP and DEGRADED, 503 for DOWN, 404 for an
 * unknown path, 405 for another method, 400 for an unknown format, 401 for a wrong bearer token.
 * Every answer carries {@code Cache-Control: no-store}. No answer ever contains a stack trace.
 */
public final class HealthEndpoint implements HttpEndpoint {
    private static final Logger log = LoggerFactory.getLogger(HealthEndpoint.class);
    /** Default bound of a response body: 64 KiB. */
    public static final int DEFAULT_MAX_BODY_BYTES = 64 * 1024;
    /** Shortest accepted bearer token: 16 characters. */
    public static final int MIN_TOKEN_LENGTH = 16;
    /** Content type of {@code /metrics}. */
    public static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private static final Map<String, String> NO_STORE = Map.of("Cache-Control", "no-store");
    private static final byte[] OK = "ok\n".getBytes(StandardCharsets.UTF_8);

    private final HealthRegistry registry;
    private final byte @Nullable [] token;
    private final DetailsVisibility visibility;
    private final int maxBodyBytes;
    private final @Nullable Supplier<String> scrape;
    private final boolean allowFresh;

    private HealthEndpoint(Builder b) {
        this.registry = b.registry;
        this.token = b.token == null ? null : b.token.getBytes(StandardCharsets.UTF_8);
        this.visibility = b.visibility;
        this.maxBodyBytes = b.maxBodyBytes;
        this.scrape = b.scrape;
        this.allowFresh = b.allowFresh;
    }

    /** An endpoint with the defaults: no token, so no details; 64 KiB bodies; no {@code /metrics}. */
    public static HealthEndpoint of(HealthRegistry registry) {
        return builder(registry).build();
    }

    /** A builder for an endpoint of {@code registry}. */
    public static Builder builder(HealthRegistry registry) {
        return new Builder(registry);
    }

    /** The registry this endpoint reports on. */
    public HealthRegistry registry() {
        return registry;
    }

    /** Answers one request; blocks at most the largest check timeout (only when checks must run, see {@link HealthRegistry}). */
    @Override
    public EndpointResponse handle(EndpointRequest request) {
        return handleAsync(request).join();
    }

    /**
     * Answers one request without blocking: the future is complete at once when the answer comes
     * from the latest results (the usual case), and completes within the largest check timeout
     * when checks must run first. Never completes exceptionally (an internal failure is a 500).
     */
    @Override
    public CompletableFuture<EndpointResponse> handleAsync(EndpointRequest request) {
        try {
            return route(request).exceptionally(e -> internalError(request, e));
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(internalError(request, e));
        }
    }

    private static EndpointResponse internalError(EndpointRequest request, Throwable e) {
        log.warn("health endpoint: {} {} failed", request.method(), request.path(), e);
        return json(500, "{\"status\":\"DOWN\",\"error\":\"internal error\"}");
    }

    private CompletableFuture<EndpointResponse> route(EndpointRequest request) {
        String path = request.path();
        if (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        String group;
        switch (path) {
            case "/health" -> group = null;
            case "/health/live", "/livez" -> group = HealthGroup.LIVENESS;
            case "/health/ready", "/readyz" -> group = HealthGroup.READINESS;
            case "/health/started" -> group = HealthGroup.STARTUP;
            case "/metrics" -> {
                return CompletableFuture.completedFuture(metrics(request));
            }
            default -> {
                String custom = path.startsWith("/health/") ? path.substring("/health/".length()) : "";
                if (custom.isEmpty() || !registry.groups().contains(custom)) {
                    return CompletableFuture.completedFuture(notFound());
                }
                group = custom;
            }
        }
        boolean text = path.equals("/livez") || path.equals("/readyz");
        if (!isGetOrHead(request)) {
            return CompletableFuture.completedFuture(methodNotAllowed());
        }
        Boolean authorized = authorized(request);
        if (authorized == null) {
            return CompletableFuture.completedFuture(
                    json(401, "{\"error\":\"invalid bearer token\"}").withHeader("WWW-Authenticate", "Bearer"));
        }
        boolean details = visibility == DetailsVisibility.ALWAYS || (visibility == DetailsVisibility.WHEN_AUTHORIZED && authorized);
        Format format = text ? Format.TEXT : format(request);
        if (format == null) {
            return CompletableFuture.completedFuture(json(400, "{\"error\":\"unknown format; use json, health+json or microprofile\"}"));
        }
        // a fresh request may wait up to the largest timeout, so strangers may not ask for one
        boolean fresh = request.flag("fresh") && (details || allowFresh);
        boolean verbose = request.flag("verbose");
        CompletableFuture<HealthReport> report = registry.reportAsync(group, fresh);
        if (report.isDone()) {
            return CompletableFuture.completedFuture(respond(report.join(), format, details, verbose));
        }
        return report.thenApply(r -> respond(r, format, details, verbose));
    }

    private EndpointResponse respond(HealthReport report, Format format, boolean details, boolean verbose) {
        int status = report.httpStatus();
        if (format == Format.TEXT && !verbose && status == 200) {
            return new EndpointResponse(200, EndpointResponse.TEXT, OK, NO_STORE);
        }
        byte[] body = ReportRenderer.render(report, format, details, verbose, null);
        if (body.length > maxBodyBytes && details) {
            body = ReportRenderer.render(report, format, false, verbose, "body exceeded " + maxBodyBytes
                    + " bytes; details omitted");
        }
        if (body.length > maxBodyBytes) {
            // so many checks that even their names overflow: status only
            HealthReport bare = new HealthReport(report.group(), report.status(), report.timestamp(), report.uptime(),
                    java.util.List.of(), report.reason());
            body = ReportRenderer.render(bare, format, false, false, "body exceeded " + maxBodyBytes + " bytes; checks omitted");
        }
        return new EndpointResponse(status, contentType(format), body, NO_STORE);
    }

    private static String contentType(Format format) {
        return switch (format) {
            case JSON, MICROPROFILE -> EndpointResponse.JSON;
            case HEALTH_JSON -> EndpointResponse.HEALTH_JSON;
            case TEXT -> EndpointResponse.TEXT;
        };
    }

    private static @Nullable Format format(EndpointRequest request) {
        String f = request.queryParameter("format").orElse(null);
        if (f != null) {
            return switch (f.toLowerCase(java.util.Locale.ROOT)) {
                case "json", "" -> Format.JSON;
                case "health+json", "health json", "healthjson" -> Format.HEALTH_JSON;
                case "microprofile", "mp" -> Format.MICROPROFILE;
                default -> null;
            };
        }
        String accept = request.header("Accept").orElse("");
        return accept.contains("application/health+json") ? Format.HEALTH_JSON : Format.JSON;
    }

    /** True when the token matches, false when no token is given (or none is configured), null when a wrong one is given. */
    private @Nullable Boolean authorized(EndpointRequest request) {
        String header = request.header("Authorization").orElse(null);
        if (token == null || header == null) {
            return Boolean.FALSE;
        }
        if (header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            byte[] given = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
            if (MessageDigest.isEqual(given, token)) {
                return Boolean.TRUE;
            }
        }
        return null;
    }

    private EndpointResponse metrics(EndpointRequest request) {
        if (scrape == null) {
            return notFound();
        }
        if (!isGetOrHead(request)) {
            return methodNotAllowed();
        }
        String text;
        try {
            text = scrape.get();
        } catch (RuntimeException e) {
            log.warn("health endpoint: the metrics scrape failed", e);
            return EndpointResponse.of(500, EndpointResponse.TEXT, "metrics unavailable\n").withHeader("Cache-Control", "no-store");
        }
        return new EndpointResponse(200, PROMETHEUS_TEXT, (text == null ? "" : text).getBytes(StandardCharsets.UTF_8), NO_STORE);
    }

    private static boolean isGetOrHead(EndpointRequest request) {
        return request.method().equals("GET") || request.method().equals("HEAD");
    }

    private static EndpointResponse json(int status, String body) {
        return new EndpointResponse(status, EndpointResponse.JSON, body.getBytes(StandardCharsets.UTF_8), NO_STORE);
    }

    static EndpointResponse notFound() {
        return json(404, "{\"error\":\"not found\"}");
    }

    static EndpointResponse methodNotAllowed() {
        return json(405, "{\"error\":\"method not allowed\"}").withHeader("Allow", "GET, HEAD");
    }

    /** Settings of a {@link HealthEndpoint}. */
    public static final class Builder {
        private final HealthRegistry registry;
        private @Nullable String token;
        private DetailsVisibility visibility = DetailsVisibility.WHEN_AUTHORIZED;
        private int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
        private @Nullable Supplier<String> scrape;
        private boolean allowFresh;

        private Builder(HealthRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry must not be null");
        }

        /**
         * The bearer token that unlocks details ({@code Authorization: Bearer <token>}), compared in
         * constant time. A request with a wrong token gets 401. Default: none.
         *
         * @throws IllegalArgumentException when shorter than {@value HealthEndpoint#MIN_TOKEN_LENGTH} characters or containing whitespace
         */
        public Builder bearerToken(String token) {
            Objects.requireNonNull(token, "token must not be null");
            if (token.length() < MIN_TOKEN_LENGTH) {
                throw new IllegalArgumentException("bearer token must be at least " + MIN_TOKEN_LENGTH
                        + " characters, but was " + token.length());
            }
            if (token.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("bearer token must not contain whitespace");
            }
            this.token = token;
            return this;
        }

        /** Who sees details. Default: {@link DetailsVisibility#WHEN_AUTHORIZED}. */
        public Builder details(DetailsVisibility visibility) {
            this.visibility = Objects.requireNonNull(visibility, "visibility must not be null");
            return this;
        }

        /**
         * The largest body a health answer may have; beyond it details, then check names, are left
         * out (and the body says so). Default: 64 KiB.
         *
         * @throws IllegalArgumentException when below 1024
         */
        public Builder maxBodyBytes(int maxBodyBytes) {
            if (maxBodyBytes < 1024) {
                throw new IllegalArgumentException("maxBodyBytes must be at least 1024, but was " + maxBodyBytes);
            }
            this.maxBodyBytes = maxBodyBytes;
            return this;
        }

        /**
         * Whether every request may use {@code ?fresh} (run the checks now, waiting up to the largest
         * timeout). Default: false, so only requests that may see details (a valid token, or
         * {@link DetailsVisibility#ALWAYS}) can; for others {@code ?fresh} is ignored and they get
         * the latest results. Runs are shared, so fresh requests never multiply the load on a
         * dependency, but each one holds an HTTP thread while it waits.
         */
        public Builder allowFresh(boolean allowFresh) {
            this.allowFresh = allowFresh;
            return this;
        }

        /**
         * Serves {@code /metrics} with the text {@code scrape} returns (Prometheus text format
         * 0.0.4), called on the HTTP thread per request. Default: no {@code /metrics} (404).
         */
        public Builder metrics(Supplier<String> scrape) {
            this.scrape = Objects.requireNonNull(scrape, "scrape must not be null");
            return this;
        }

        /**
         * Serves {@code /metrics} from a Micrometer Prometheus registry
         * ({@code micrometer-registry-prometheus} must then be on the class path; it is an optional
         * dependency, loaded only when this method is called).
         */
        public Builder prometheus(io.micrometer.prometheusmetrics.PrometheusMeterRegistry registry) {
            Objects.requireNonNull(registry, "registry must not be null");
            return metrics(PrometheusScrape.of(registry));
        }

        /** The endpoint. */
        public HealthEndpoint build() {
            return new HealthEndpoint(this);
        }
    }
}
