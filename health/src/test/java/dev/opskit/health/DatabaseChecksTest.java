package dev.opskit.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.opskit.core.health.HealthResult;
import dev.opskit.core.health.HealthStatus;
import dev.opskit.core.testing.PostgresExtension;
import dev.opskit.core.testing.TestDatabase;
import dev.opskit.core.testing.TestPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(PostgresExtension.class)
class DatabaseChecksTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final TestDatabase db;
    private final HealthRegistry health = HealthRegistry.create();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private HealthServer server;

    DatabaseChecksTest(TestDatabase db) {
        this.db = db;
    }

    @AfterEach
    void close() {
        if (server != null) {
            server.close();
        }
        health.close();
    }

    private int get(String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(30)).GET().build();
        return client.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    @Test
    void theDataSourceCheckRunsATrivialQueryAndReportsLatency() {
        health.register("db", HealthChecks.dataSource(db.dataSource()));

        CheckSnapshot s = health.checkNow("db");

        assertThat(s.status()).isEqualTo(HealthStatus.UP);
        assertThat(s.result().details().get("latencyMs")).isInstanceOf(Double.class);
        assertThat((Double) s.result().details().get("latencyMs")).isPositive();
    }

    @Test
    void aFailingQueryIsDownWithTheSqlError() {
        health.register("db", HealthChecks.dataSource(db.dataSource(), "SELECT * FROM no_such_table", Duration.ofSeconds(1)));

        CheckSnapshot s = health.checkNow("db");

        assertThat(s.status()).isEqualTo(HealthStatus.DOWN);
        assertThat(s.result().errorType()).contains("org.postgresql.util.PSQLException");
        assertThat(s.result().errorMessage().orElseThrow()).contains("no_such_table");
    }

    @Test
    void readinessTurns503WhenTheDatabaseStopsWhileLivenessStays200AndRecovers() throws Exception {
        TestPostgres postgres = db.server();
        assumeFalse(postgres.isExternal(), "needs the embedded server, which a test may stop");
        Duration timeout = Duration.ofSeconds(2);
        Duration interval = Duration.ofMillis(250);
        health.register("db", HealthChecks.dataSource(db.dataSource()), CheckOptions.readiness().timeout(timeout).interval(interval));
        health.start();
        server = HealthServer.builder(HealthEndpoint.of(health)).port(0).bindAddress("127.0.0.1").build().start();
        Await.until("readiness is 200", Duration.ofSeconds(60), () -> status("/health/ready") == 200);

        try {
            postgres.stop();
            long stopped = System.nanoTime();
            // expected within timeout + interval (2.25 s); the bound is generous for a loaded machine
            Await.until("readiness is 503 after the database stopped", Duration.ofSeconds(60), () -> status("/health/ready") == 503);
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped);
            assertThat(tookMs).as("ms until readiness noticed").isLessThan(30_000);
            assertThat(get("/health/live")).isEqualTo(200);
            assertThat(get("/livez")).isEqualTo(200);
            assertThat(get("/readyz")).isEqualTo(503);
        } finally {
            postgres.start();
        }
        Await.until("readiness is 200 again", Duration.ofSeconds(60), () -> status("/health/ready") == 200);
        assertThat(health.snapshot("db").lastFailure()).isNotNull();
    }

    private int status(String path) {
        try {
            return get(path);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theHikariPoolCheckIsDegradedWhileThreadsWaitForAConnection() throws Exception {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(db.jdbcUrl());
        config.setMaximumPoolSize(1);
        config.setConnectionTimeout(30_000);
        config.setPoolName("test-pool");
        try (HikariDataSource pool = new HikariDataSource(config)) {
            health.register("pool", HikariPoolCheck.of(pool));
            health.register("db", HealthChecks.dataSource(pool), CheckOptions.readiness().timeout(Duration.ofMillis(500)));
            HealthResult idle = health.checkNow("pool").result();
            assertThat(idle.status()).isEqualTo(HealthStatus.UP);
            assertThat(idle.details()).containsEntry("max", 1).containsEntry("waiting", 0);

            CompletableFuture<Void> waiter;
            try (Connection held = pool.getConnection()) {
                waiter = CompletableFuture.runAsync(() -> {
                    try (Connection c = pool.getConnection()) {
                        c.isValid(1);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                Await.until("a thread waits for a connection", Duration.ofSeconds(30),
                        () -> pool.getHikariPoolMXBean().getThreadsAwaitingConnection() > 0);

                HealthResult busy = health.checkNow("pool").result();
                assertThat(busy.status()).isEqualTo(HealthStatus.DEGRADED);
                assertThat(busy.details()).containsEntry("active", 1).containsEntry("waiting", 1);
                // the DataSource check cannot borrow either, and its timeout keeps the probe short
                CheckSnapshot dbCheck = health.checkNow("db");
                assertThat(dbCheck.status()).isEqualTo(HealthStatus.DOWN);
                assertThat(dbCheck.timedOut()).isTrue();
            }
            waiter.get(30, TimeUnit.SECONDS);
            Await.until("the pool check is UP again", Duration.ofSeconds(30),
                    () -> health.checkNow("pool").status() == HealthStatus.UP);
        }
        assertThat(health.checkNow("pool").result().errorMessage().orElseThrow()).contains("test-pool").contains("closed");
    }

    @Test
    void theDiskSpaceCheckIsDownBelowItsThreshold(@TempDir Path dir) throws Exception {
        health.register("disk", HealthChecks.diskSpace(dir, 1));
        health.register("disk-full", HealthChecks.diskSpace(dir, Long.MAX_VALUE));
        HealthEndpoint endpoint = HealthEndpoint.builder(health).details(DetailsVisibility.ALWAYS).build();

        JsonNode checks = JSON.readTree(endpoint.handle(EndpointRequest.get("/health/ready")).body()).get("checks");

        assertThat(checks.get("disk").get("status").asText()).isEqualTo("UP");
        assertThat(checks.get("disk").get("details").get("freeBytes").asLong()).isPositive();
        assertThat(checks.get("disk-full").get("status").asText()).isEqualTo("DOWN");
        assertThat(checks.get("disk-full").get("error").get("message").asText()).contains("below the threshold");
    }
}
