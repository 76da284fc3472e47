package dev.opskit.health;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.opskit.core.OpsKitException;
import dev.opskit.core.shutdown.GracefulShutdown;
import dev.opskit.core.shutdown.ShutdownPhase;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a {@link HealthEndpoint} (and any extra routes) on the JDK's built-in
 * {@code com.sun.net.httpserver} server, with HTTP/1.1 keep-alive.
 *
 * <pre>{@code
 * HealthServer server = HealthServer.builder(HealthEndpoint.of(health))
 *         .port(8081)
 *         .route("/status", myStatusEndpoint)
 *         .build()
 *         .start();
 * server.registerWith(gracefulShutdown);   // closed in the CLOSE phase
 * }</pre>
 *
 * <p>Requests are handled on {@code threads} daemon threads named {@code opskit-health-http-N}
 * (default 2); the JDK's dispatcher thread accepts connections. Routes are called through
 * {@link HttpEndpoint#handleAsync}: an answer that must wait for a check run is written when it is
 * ready, without holding a thread meanwhile, so a slow dependency cannot starve other probes. A route's path is matched exactly;
 * every other path goes to the health endpoint, which answers 404 for paths it does not know. A
 * handler that throws gets a 500 with no stack trace; HEAD answers carry the headers of the GET
 * answer and no body. Malformed HTTP is rejected by the JDK server (400 or a closed connection) and
 * never stops the server.
 *
 * <p>Sets the system property {@code sun.net.httpserver.nodelay=true} (TCP_NODELAY) unless it is
 * already set, because without it a keep-alive client waits for delayed ACKs (about 40 ms a request).
 * Sets {@code sun.net.httpserver.maxReqTime} to {@value #DEFAULT_MAX_REQUEST_SECONDS} (seconds) unless
 * it is already set: the JDK server reads a request on a request thread, so without a limit a client
 * that stops halfway through its request holds that thread for good, and {@code threads} such
 * clients starve every probe. Such a connection is dropped after that time; waiting for a check
 * run does not count. Both properties are read once per JVM, when its first JDK HTTP server starts.
 */
public final class HealthServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HealthServer.class);
    /** Default port: {@value}. */
    public static final int DEFAULT_PORT = 8081;
    /** Default bind address: all interfaces. */
    public static final String DEFAULT_BIND_ADDRESS = "0.0.0.0";
    /** Default number of request threads: {@value}. */
    public static final int DEFAULT_THREADS = 2;
    /** Longest time a client may take to send a request, in seconds, unless {@code sun.net.httpserver.maxReqTime} is set: {@value}. */
    public static final int DEFAULT_MAX_REQUEST_SECONDS = 5;

    static {
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        if (System.getProperty("sun.net.httpserver.maxReqTime") == null) {
            System.setProperty("sun.net.httpserver.maxReqTime", Integer.toString(DEFAULT_MAX_REQUEST_SECONDS));
        }
    }

    private final HttpEndpoint fallback;
    private final Map<String, HttpEndpoint> routes;
    private final InetSocketAddress requested;
    private final int threads;
    private final int backlog;
    private @Nullable HttpServer server;
    private @Nullable ExecutorService executor;

    private HealthServer(Builder b) {
        this.fallback = b.endpoint;
        this.routes = Map.copyOf(b.routes);
        this.requested = new InetSocketAddress(b.bindAddress, b.port);
        this.threads = b.threads;
        this.backlog = b.backlog;
    }

    /** A builder for a server whose every unrouted path goes to {@code endpoint} (normally a {@link HealthEndpoint}). */
    public static Builder builder(HttpEndpoint endpoint) {
        return new Builder(endpoint);
    }

    /**
     * Binds and starts serving.
     *
     * @throws HealthServerException when the address cannot be bound (port in use, say), naming it
     * @throws IllegalStateException when already started
     */
    public synchronized HealthServer start() {
        if (server != null) {
            throw new IllegalStateException("the health server is already started on port " + port());
        }
        HttpServer s;
        try {
            s = HttpServer.create(requested, backlog);
        } catch (IOException e) {
            throw new HealthServerException("could not bind the health server to " + requested.getHostString() + ":"
                    + requested.getPort() + ": " + e.getMessage(), e);
        }
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "opskit-health-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        s.setExecutor(pool);
        s.createContext("/", this::exchange);
        s.start();
        server = s;
        executor = pool;
        log.info("opskit health server listening on {}:{} ({} threads, routes {})", requested.getHostString(),
                s.getAddress().getPort(), threads, routes.keySet());
        return this;
    }

    /** The port actually bound (useful with port 0). */
    public synchronized int port() {
        if (server == null) {
            throw new IllegalStateException("the health server is not started");
        }
        return server.getAddress().getPort();
    }

    /** The address actually bound. */
    public synchronized InetSocketAddress address() {
        if (server == null) {
            throw new IllegalStateException("the health server is not started");
        }
        return server.getAddress();
    }

    /**
     * Registers this server with a graceful shutdown, closed in the {@link ShutdownPhase#CLOSE}
     * phase as participant {@code "health-server"}, so probes are answered (readiness 503) while
     * work drains.
     */
    public HealthServer registerWith(GracefulShutdown shutdown) {
        Objects.requireNonNull(shutdown, "shutdown must not be null").register("health-server", ShutdownPhase.CLOSE, timeLeft -> close());
        return this;
    }

    /** Stops listening, closes open connections and ends the threads. Idempotent. */
    @Override
    public synchronized void close() {
        if (server == null) {
            return;
        }
        server.stop(0);
        if (executor != null) {
            executor.shutdownNow();
        }
        server = null;
        log.info("opskit health server stopped");
    }

    private void exchange(HttpExchange ex) {
        CompletableFuture<EndpointResponse> pending;
        try {
            pending = dispatch(ex);
        } catch (Throwable t) {
            pending = CompletableFuture.failedFuture(t);
        }
        if (pending.isDone()) {
            finish(ex, pending);
        } else {
            // the answer waits for a check run: free this thread, answer from the pool when it is ready
            CompletableFuture<EndpointResponse> later = pending;
            ExecutorService pool = executor;
            later.whenCompleteAsync((r, t) -> finish(ex, later), pool);
        }
    }

    private void finish(HttpExchange ex, CompletableFuture<EndpointResponse> done) {
        try {
            EndpointResponse response;
            try {
                response = done.join();
                if (response == null) {
                    throw new IllegalStateException("the endpoint for " + ex.getRequestURI().getRawPath() + " returned no response");
                }
            } catch (Throwable t) {
                log.warn("health server: {} {} failed", ex.getRequestMethod(), ex.getRequestURI(), t);
                response = EndpointResponse.of(500, EndpointResponse.JSON, "{\"error\":\"internal error\"}");
            }
            write(ex, response);
        } catch (IOException | RuntimeException e) {
            // the client went away or sent something unusable; this connection is done, the server is not
            log.debug("health server: could not answer {} {}", ex.getRequestMethod(), ex.getRequestURI(), e);
        } finally {
            ex.close();
        }
    }

    private CompletableFuture<EndpointResponse> dispatch(HttpExchange ex) {
        URI uri = ex.getRequestURI();
        String path = uri.getRawPath();
        if (path == null || path.isEmpty()) {
            path = "/";
        }
        EndpointRequest request = new EndpointRequest(ex.getRequestMethod(), path, uri.getRawQuery(), ex.getRequestHeaders());
        HttpEndpoint route = routes.get(path);
        if (route == null && path.length() > 1 && path.endsWith("/")) {
            route = routes.get(path.substring(0, path.length() - 1));
        }
        CompletableFuture<EndpointResponse> response = (route != null ? route : fallback).handleAsync(request);
        return response != null ? response : CompletableFuture.completedFuture(null);
    }

    private static void write(HttpExchange ex, EndpointResponse response) throws IOException {
        Headers headers = ex.getResponseHeaders();
        if (response.contentType() != null) {
            headers.set("Content-Type", response.contentType());
        }
        response.headers().forEach(headers::set);
        byte[] body = response.body();
        if ("HEAD".equalsIgnoreCase(ex.getRequestMethod())) {
            headers.set("Content-Length", Integer.toString(body.length));
            ex.sendResponseHeaders(response.status(), -1);
            return;
        }
        ex.sendResponseHeaders(response.status(), body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** Settings of a {@link HealthServer}. */
    public static final class Builder {
        private final HttpEndpoint endpoint;
        private final Map<String, HttpEndpoint> routes = new LinkedHashMap<>();
        private int port = DEFAULT_PORT;
        private InetAddress bindAddress;
        private int threads = DEFAULT_THREADS;
        private int backlog = 128;

        private Builder(HttpEndpoint endpoint) {
            this.endpoint = Objects.requireNonNull(endpoint, "endpoint must not be null");
            bindAddress(DEFAULT_BIND_ADDRESS);
        }

        /** The port; 0 picks a free one (see {@link HealthServer#port()}). Default: {@value HealthServer#DEFAULT_PORT}. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be between 0 and 65535, but was " + port);
            }
            this.port = port;
            return this;
        }

        /** The address to listen on, for example {@code "127.0.0.1"} for local probes only. Default: {@code 0.0.0.0}. */
        public Builder bindAddress(String address) {
            Objects.requireNonNull(address, "bindAddress must not be null");
            try {
                this.bindAddress = InetAddress.getByName(address);
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("bindAddress is not a known host or address: '" + address + "'", e);
            }
            return this;
        }

        /** Request-handling threads. Default: {@value HealthServer#DEFAULT_THREADS}. */
        public Builder threads(int threads) {
            if (threads < 1 || threads > 64) {
                throw new IllegalArgumentException("threads must be between 1 and 64, but was " + threads);
            }
            this.threads = threads;
            return this;
        }

        /** The TCP accept backlog. Default: 128. */
        public Builder backlog(int backlog) {
            if (backlog < 1) {
                throw new IllegalArgumentException("backlog must be at least 1, but was " + backlog);
            }
            this.backlog = backlog;
            return this;
        }

        /**
         * Serves {@code endpoint} at exactly {@code path} (any method; the endpoint decides), for
         * example {@code route("/status", statusEndpoint)}.
         *
         * @throws IllegalArgumentException when the path does not start with {@code /} or is already routed
         */
        public Builder route(String path, HttpEndpoint endpoint) {
            Objects.requireNonNull(path, "path must not be null");
            Objects.requireNonNull(endpoint, "endpoint must not be null");
            if (!path.startsWith("/") || path.contains("?") || path.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("route path must start with / and contain no query or whitespace, but was '" + path + "'");
            }
            if (routes.putIfAbsent(path, endpoint) != null) {
                throw new IllegalArgumentException("route '" + path + "' is already defined");
            }
            return this;
        }

        /** The server, not yet started. */
        public HealthServer build() {
            return new HealthServer(this);
        }
    }

    /** The health server could not start. */
    public static final class HealthServerException extends OpsKitException {
        private static final long serialVersionUID = 1L;

        HealthServerException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
