package dev.opskit.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.opskit.core.health.HealthStatus;
import dev.opskit.core.shutdown.GracefulShutdown;
import dev.opskit.health.testing.ControllableCheck;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HealthServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "operator-token-0123456789";

    private final HealthRegistry health = HealthRegistry.builder().deadlockCheck(false).build();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private HealthServer server;

    @AfterEach
    void close() {
        if (server != null) {
            server.close();
        }
        health.close();
    }

    private HealthServer start(HealthServer.Builder builder) {
        server = builder.port(0).bindAddress("127.0.0.1").build().start();
        return server;
    }

    private HealthServer start() {
        return start(HealthServer.builder(HealthEndpoint.builder(health).bearerToken(TOKEN).build()));
    }

    private HttpResponse<String> send(String method, String pathAndQuery, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + pathAndQuery))
                .timeout(Duration.ofSeconds(60)).method(method, HttpRequest.BodyPublishers.noBody());
        if (headers.length > 0) {
            b.headers(headers);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void readinessAnswersQuicklyWhileACheckBlocksForThirtySecondsAndReportsItTimedOut() throws Exception {
        health.register("slow", ControllableCheck.create().slow(Duration.ofSeconds(30)),
                CheckOptions.readiness().timeout(Duration.ofMillis(500)));
        health.register("db", ControllableCheck.create());
        health.start();
        start();

        long startNanos = System.nanoTime();
        HttpResponse<String> r = send("GET", "/health/ready", "Authorization", "Bearer " + TOKEN);
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);

        // 500 ms timeout plus scheduling slack; generous for a loaded machine, far below the 30 s block
        assertThat(tookMs).as("response time in ms").isLessThan(5_000);
        assertThat(r.statusCode()).isEqualTo(503);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.get("status").asText()).isEqualTo("DOWN");
        JsonNode slow = body.get("checks").get("slow");
        assertThat(slow.get("status").asText()).isEqualTo("DOWN");
        assertThat(slow.get("timedOut").asBoolean()).isTrue();
        assertThat(slow.get("error").get("message").asText()).isEqualTo("timed out after 500 ms");
        assertThat(body.get("checks").get("db").get("status").asText()).isEqualTo("UP");

        // later probes read the snapshot: no waiting at all for the slow check
        long again = System.nanoTime();
        assertThat(send("GET", "/readyz").statusCode()).isEqualTo(503);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - again)).isLessThan(5_000);
    }

    @Test
    void aHundredConcurrentProbesOverHttpShareOneRunOfEachCheckWithoutHoldingServerThreads() throws Exception {
        ControllableCheck a = ControllableCheck.create().hold();
        ControllableCheck b = ControllableCheck.create().hold();
        CheckOptions onRequest = CheckOptions.readiness().timeout(Duration.ofSeconds(30)).refreshOnRequest(true);
        health.register("a", a, onRequest).register("b", b, onRequest);
        HealthEndpoint endpoint = HealthEndpoint.of(health);
        java.util.concurrent.atomic.AtomicInteger joined = new java.util.concurrent.atomic.AtomicInteger();
        HttpEndpoint counting = new HttpEndpoint() {
            @Override
            public EndpointResponse handle(EndpointRequest request) {
                return handleAsync(request).join();
            }

            @Override
            public java.util.concurrent.CompletableFuture<EndpointResponse> handleAsync(EndpointRequest request) {
                java.util.concurrent.CompletableFuture<EndpointResponse> f = endpoint.handleAsync(request);
                joined.incrementAndGet(); // this probe now waits on the shared runs
                return f;
            }
        };
        start(HealthServer.builder(counting)); // the default 2 request threads

        int probes = 100;
        List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> responses = new java.util.ArrayList<>();
        for (int i = 0; i < probes; i++) {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/health/ready"))
                    .timeout(Duration.ofSeconds(120)).GET().build();
            responses.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
        }
        Await.until("all probes joined the runs", Duration.ofSeconds(60), () -> joined.get() == probes);
        assertThat(responses).noneMatch(java.util.concurrent.CompletableFuture::isDone);
        a.release();
        b.release();

        for (java.util.concurrent.CompletableFuture<HttpResponse<String>> r : responses) {
            assertThat(r.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        }
        assertThat(a.invocations()).isEqualTo(1);
        assertThat(b.invocations()).isEqualTo(1);
    }

    @Test
    void servesEveryProbePathWithItsStatusCode() throws Exception {
        ControllableCheck db = ControllableCheck.create();
        health.register("db", db);
        health.register("ping", ControllableCheck.create(), CheckOptions.liveness());
        start();

        assertThat(send("GET", "/health").statusCode()).isEqualTo(200);
        assertThat(send("GET", "/health/live").statusCode()).isEqualTo(200);
        assertThat(send("GET", "/health/ready").statusCode()).isEqualTo(200);
        assertThat(send("GET", "/health/started").statusCode()).isEqualTo(200);
        assertThat(send("GET", "/livez").body()).isEqualTo("ok\n");
        assertThat(send("GET", "/readyz").body()).isEqualTo("ok\n");

        db.down("gone");
        assertThat(send("GET", "/health/ready?fresh", "Authorization", "Bearer " + TOKEN).statusCode()).isEqualTo(503);
        assertThat(send("GET", "/readyz").statusCode()).isEqualTo(503);
        assertThat(send("GET", "/health/live").statusCode()).as("liveness ignores readiness checks").isEqualTo(200);
    }

    @Test
    void unknownPathsGet404WrongMethods405AndHeadGetsHeadersWithoutBody() throws Exception {
        health.register("db", ControllableCheck.create());
        start();

        assertThat(send("GET", "/nope").statusCode()).isEqualTo(404);
        HttpResponse<String> post = send("POST", "/health/ready");
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).contains("GET, HEAD");
        assertThat(send("DELETE", "/livez").statusCode()).isEqualTo(405);

        String head = raw("HEAD /health/ready HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertThat(head).startsWith("HTTP/1.1 200");
        assertThat(head.toLowerCase()).contains("content-type: application/json");
        assertThat(head).endsWith("\r\n\r\n");
        // the length of the body a GET would get ("ok\n"), and no body
        String headText = raw("HEAD /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertThat(headText.toLowerCase()).contains("content-length: 3\r\n").endsWith("\r\n\r\n");
    }

    @Test
    void malformedRequestsNeverKillTheServer() throws Exception {
        health.register("db", ControllableCheck.create());
        start();

        raw("GARBAGE\r\n\r\n");
        raw("GET /health/ready HTTP/1.1\r\nHost: x\r\nBroken-Header-Without-Colon\r\n\r\n");
        raw("GET /health/ready?%zz&format=%%% HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        raw("GET /health/ready HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999\r\n\r\nabc");
        raw("\u0000\u0001\u0002\r\n\r\n");
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.getOutputStream().write("GET /health HTTP/1.1\r\nHo".getBytes(StandardCharsets.US_ASCII));
            // hang up halfway through the headers
        }

        assertThat(send("GET", "/health/ready").statusCode()).isEqualTo(200);
    }

    @Test
    void extraRoutesAreServedBesideTheHealthEndpoints() throws Exception {
        health.register("db", ControllableCheck.create());
        start(HealthServer.builder(HealthEndpoint.of(health))
                .route("/status", req -> EndpointResponse.of(200, EndpointResponse.JSON, "{\"service\":\"demo\"}"))
                .route("/boom", req -> {
                    throw new IllegalStateException("secret internals");
                }));

        assertThat(JSON.readTree(send("GET", "/status").body()).get("service").asText()).isEqualTo("demo");
        HttpResponse<String> boom = send("GET", "/boom");
        assertThat(boom.statusCode()).isEqualTo(500);
        assertThat(boom.body()).doesNotContain("secret").doesNotContain("at dev.");
        assertThat(send("GET", "/health").statusCode()).isEqualTo(200);
        assertThatThrownBy(() -> HealthServer.builder(HealthEndpoint.of(health)).route("status", r -> null))
                .hasMessageContaining("'status'");
    }

    @Test
    void keepAliveConnectionsServeManyRequests() throws Exception {
        health.register("db", ControllableCheck.create());
        start();

        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            for (int i = 0; i < 3; i++) {
                out.write("GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String response = readResponse(in);
                assertThat(response).startsWith("HTTP/1.1 200").endsWith("ok\n");
            }
        }
    }

    @Test
    void theServerClosesInTheClosePhaseOfAGracefulShutdownAfterReadinessWentDown() throws Exception {
        health.register("db", ControllableCheck.create());
        GracefulShutdown shutdown = new GracefulShutdown();
        health.bindTo(shutdown);
        start().registerWith(shutdown);
        boolean[] readyDuringDrain = {true};
        shutdown.register("work", dev.opskit.core.shutdown.ShutdownPhase.DRAIN,
                left -> readyDuringDrain[0] = send("GET", "/health/ready").statusCode() == 200);

        shutdown.shutdown(Duration.ofSeconds(30));

        assertThat(readyDuringDrain[0]).as("readiness was 200 during the drain").isFalse();
        assertThat(health.readiness().status()).isEqualTo(HealthStatus.DOWN);
        assertThatThrownBy(() -> new Socket("127.0.0.1", server.port()).close()).isInstanceOf(Exception.class);
    }

    @Test
    void aPortInUseIsReportedByNumber() {
        start();
        HealthServer second = HealthServer.builder(HealthEndpoint.of(health)).port(server.port()).bindAddress("127.0.0.1").build();
        assertThatThrownBy(second::start).isInstanceOf(HealthServer.HealthServerException.class)
                .hasMessageContaining(":" + server.port());
    }

    private String raw(String request) throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(30_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            s.shutdownOutput();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            try {
                s.getInputStream().transferTo(all);
            } catch (java.io.IOException reset) {
                // the server may reset a connection it refuses; that is fine
            }
            return all.toString(StandardCharsets.ISO_8859_1);
        }
    }

    /** Reads one response with a Content-Length body from a keep-alive connection. */
    private static String readResponse(InputStream in) throws Exception {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new AssertionError("connection closed early: " + head);
            }
            head.append((char) c);
        }
        int length = 0;
        for (String line : head.toString().split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                length = Integer.parseInt(line.substring("content-length:".length()).trim());
            }
        }
        byte[] body = in.readNBytes(length);
        return head + new String(body, StandardCharsets.UTF_8);
    }
}
