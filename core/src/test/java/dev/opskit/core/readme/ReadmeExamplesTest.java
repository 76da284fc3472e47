package dev.opskit.core.readme;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.opskit.core.backoff.Backoff;
import dev.opskit.core.env.EnvReport;
import dev.opskit.core.env.EnvRequirement;
import dev.opskit.core.env.EnvRequirements;
import dev.opskit.core.env.EnvSource;
import dev.opskit.core.health.HealthCheck;
import dev.opskit.core.health.HealthResult;
import dev.opskit.core.health.HealthStatus;
import dev.opskit.core.shutdown.GracefulShutdown;
import dev.opskit.core.shutdown.ShutdownPhase;
import dev.opskit.core.shutdown.ShutdownReport;
import dev.opskit.core.testing.PostgresExtension;
import java.net.InetSocketAddress;
import java.sql.Connection;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The examples of core/README.md, kept compiling and working; stand-ins replace the application's objects. */
@ExtendWith(PostgresExtension.class)
class ReadmeExamplesTest {

    @Test
    void healthContract(DataSource dataSource) throws Exception {
        HealthCheck database = () -> {
            try (Connection c = dataSource.getConnection()) {
                return c.isValid(2) ? HealthResult.up(Map.of("pool", "main")) : HealthResult.down("connection not valid");
            }
        };
        HealthResult r = HealthResult.degraded(Map.of("reason", "breaker openai OPEN"));
        HealthStatus overall = HealthStatus.UP.worst(r.status());

        assertThat(database.check().status()).isEqualTo(HealthStatus.UP);
        assertThat(overall).isEqualTo(HealthStatus.DEGRADED);
    }

    @Test
    void gracefulShutdown() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.start();
        Workers workers = new Workers();
        AtomicBoolean pool = new AtomicBoolean(true);
        Readiness readiness = new Readiness();

        GracefulShutdown shutdown = new GracefulShutdown()
                .register("http", ShutdownPhase.STOP_ACCEPTING, timeLeft -> server.stop(0))
                .register("workers", ShutdownPhase.DRAIN, timeLeft -> workers.awaitIdle(timeLeft))
                .register("pool", ShutdownPhase.CLOSE, timeLeft -> pool.set(false));
        shutdown.onShutdownStarted(() -> readiness.markDown());
        shutdown.installShutdownHook(Duration.ofSeconds(25), 0);
        shutdown.removeShutdownHook(); // not in the README: this test JVM must not halt with it

        ShutdownReport report = shutdown.shutdown(Duration.ofSeconds(25));

        assertThat(report.clean()).isTrue();
        assertThat(report.summary()).contains("http STOP_ACCEPTING FINISHED", "workers DRAIN FINISHED", "pool CLOSE FINISHED");
        assertThat(readiness.down).isTrue();
        assertThat(pool).isFalse();
    }

    @Test
    void backoff() {
        Backoff retries = Backoff.exponential(Duration.ofSeconds(1), Duration.ofMinutes(10));
        Backoff provider = Backoff.fixed(Duration.ofMinutes(5));
        Backoff stepped = Backoff.custom(attempt -> attempt <= 3 ? Duration.ofSeconds(10) : Duration.ofMinutes(1));
        Backoff reproducible = Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(30), new Random(42));

        int attempt = 4;
        Duration wait = retries.delay(attempt);

        assertThat(wait).isBetween(Duration.ZERO, Duration.ofSeconds(8));
        assertThat(provider.delay(attempt)).isEqualTo(Duration.ofMinutes(5));
        assertThat(stepped.delay(attempt)).isEqualTo(Duration.ofMinutes(1));
        assertThat(reproducible.delay(1)).isEqualTo(Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(30), new Random(42)).delay(1));
    }

    @Test
    void environmentRequirements() {
        EnvRequirements requirements = EnvRequirements.builder()
                .variable("DATABASE_URL")
                .add(EnvRequirement.variable("LOG_LEVEL").oneOf("debug", "info", "warn", "error").withDefault("info"))
                .add(EnvRequirement.variable("OPSKIT_HTTP_PORT").matching("[0-9]{1,5}").withDefault("8080"))
                .secret("JWT_SECRET", 32)
                .add(EnvRequirement.secret("STRIPE_SECRET_KEY", 20).onlyIn("prod", "staging"))
                .add(EnvRequirement.variable("SENTRY_DSN").optional().matching("https://.+"))
                .build();
        EnvSource environment = EnvSource.of(Map.of("APP_ENV", "dev", "DATABASE_URL", "postgres://db/app",
                "JWT_SECRET", "x".repeat(32)));

        EnvReport env = requirements.requireAll(environment);
        int port = Integer.parseInt(env.value("OPSKIT_HTTP_PORT").orElseThrow());

        assertThat(port).isEqualTo(8080);
    }

    private static final class Workers {
        void awaitIdle(Duration timeLeft) {
            assertThat(timeLeft).isPositive();
        }
    }

    private static final class Readiness {
        volatile boolean down;

        void markDown() {
            down = true;
        }
    }
}
