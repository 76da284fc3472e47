package dev.opskit.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.opskit.core.testing.TestDatabase;
import dev.opskit.deadletter.DeadLetter;
import dev.opskit.deadletter.DeadLetterReason;
import dev.opskit.deadletter.NewDeadLetter;
import dev.opskit.health.EndpointResponse;
import dev.opskit.health.HealthServer;
import dev.opskit.jobqueue.PostgresJobQueue;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

/**
 * A job queue and its dead letters on the test database, a console over them served by a real
 * {@link HealthServer} on a free port, and an HTTP client. Letters of sources {@code webhook:*} are
 * replayed into {@link #redelivered}.
 */
final class ConsoleFixture implements AutoCloseable {
    static final String TOKEN = "s3cret-console-token-0123456789";
    static final ObjectMapper JSON = new ObjectMapper();

    final TestDatabase db;
    final PostgresJobQueue queue;
    final ConsoleEndpoint console;
    final HealthServer server;
    final List<DeadLetter> redelivered = new CopyOnWriteArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    ConsoleFixture(TestDatabase db, UnaryOperator<ConsoleEndpoint.Builder> settings) {
        this.db = db;
        db.execute("DROP SCHEMA IF EXISTS opskit CASCADE");
        queue = PostgresJobQueue.builder(db.dataSource()).build();
        queue.installSchema();
        queue.deadLetters().registerReplayTarget("webhook:*", (tx, letter) -> {
            redelivered.add(letter);
            return "redelivered-" + letter.id();
        });
        console = settings.apply(ConsoleEndpoint.builder(queue).summaryMaxAge(java.time.Duration.ZERO)).build();
        HealthServer.Builder b = HealthServer.builder(r -> EndpointResponse.of(404, EndpointResponse.TEXT, "not found"))
                .bindAddress("127.0.0.1").port(0);
        console.routes().forEach(b::route);
        server = b.build().start();
    }

    String base() {
        return "http://127.0.0.1:" + server.port() + "/console";
    }

    long letter(String source, String kind, String message) {
        return queue.deadLetters().add(NewDeadLetter.builder(source, kind)
                .payload("{\"order\":42}")
                .errorType("java.io.IOException").message(message).attempts(3)
                .reason(DeadLetterReason.MAX_ATTEMPTS, "3 of 3 attempts failed")
                .build());
    }

    record Answer(int status, JsonNode json, Map<String, List<String>> headers, String body) {
    }

    Answer get(String pathAndQuery) {
        return send(HttpRequest.newBuilder(URI.create(base() + pathAndQuery)).GET().build());
    }

    /** POST with the given headers (name, value, name, value...). */
    Answer post(String pathAndQuery, String... headers) {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base() + pathAndQuery)).POST(HttpRequest.BodyPublishers.noBody());
        for (int i = 0; i < headers.length; i += 2) {
            r.header(headers[i], headers[i + 1]);
        }
        return send(r.build());
    }

    Answer act(String pathAndQuery) {
        return post(pathAndQuery, ConsoleEndpoint.TOKEN_HEADER, TOKEN, ConsoleEndpoint.OPERATOR_HEADER, "alice");
    }

    private Answer send(HttpRequest request) {
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            JsonNode json = null;
            if (r.headers().firstValue("Content-Type").orElse("").startsWith("application/json")) {
                json = JSON.readTree(r.body());
            }
            return new Answer(r.statusCode(), json, r.headers().map(), r.body());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.close();
        console.close();
        queue.deadLetters().close();
    }
}
