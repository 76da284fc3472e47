package dev.opskit.examples.spring;

import static dev.opskit.core.testing.ServiceProcess.find;
import static dev.opskit.core.testing.ServiceProcess.freePort;
import static dev.opskit.core.testing.ServiceProcess.json;
import static dev.opskit.core.testing.ServiceProcess.portAcceptsConnections;
import static dev.opskit.core.testing.ServiceProcess.totalJobs;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.opskit.core.testing.ServiceProcess;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Spring example as an operator meets it: its own process (with its own embedded PostgreSQL),
 * driven through HTTP only, stopped with SIGTERM while jobs run. The same approach as the
 * {@code examples} module's end-to-end test.
 */
class SpringExampleEndToEndTest {
    /** Generous: the machine may be shared by several builds. */
    private static final Duration STARTUP = Duration.ofMinutes(3);
    private static final Duration STEP = Duration.ofSeconds(90);

    private ServiceProcess application;
    private Process process;

    @AfterEach
    void stopTheApplicationIfStillRunning() throws Exception {
        if (application != null) {
            application.close();
        }
    }

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void placesOrdersInOneTransactionWithTheirJobsServesActuatorAndDrainsOnSigterm() throws Exception {
        int httpPort = freePort();
        int pgPort = freePort();
        start(httpPort, pgPort);
        application.awaitReady("/actuator/health/readiness", STARTUP);

        // Actuator: opskit's checks as the "opskit" contributor, in the readiness group too; opskit meters
        JsonNode health = await("/actuator/health", "opskit checks are UP",
                h -> h.path("components").path("opskit").path("status").asText().equals("UP"));
        assertThat(health.path("components").path("opskit").path("components").fieldNames()).toIterable()
                .contains("db", "jobs", "dead-letters", "breaker.email", "deadlocks");
        assertThat(json(get("/actuator/health/readiness")).path("components").has("opskit")).isTrue();

        // orders and their jobs commit together; the workers (a handler bean) confirm them
        assertThat(json(post("/orders?count=3", 200)).path("placed").asInt()).isEqualTo(3);
        await("/status", "3 orders confirmed", s -> s.path("confirmed").asInt() == 3);

        // a failing transaction rolls back the orders and their jobs alike
        JsonNode before = json(get("/status"));
        assertThat(json(post("/orders?count=2&fail=true", 409)).path("placed").asInt()).isZero();
        JsonNode after = json(get("/status"));
        assertThat(after.path("orders").asInt()).isEqualTo(before.path("orders").asInt());
        assertThat(totalJobs(after)).as("no job of the rolled-back transaction").isEqualTo(totalJobs(before)).isEqualTo(3);

        String metrics = get("/actuator/prometheus").body();
        assertThat(metrics).contains("opskit_jobs_enqueued_jobs_total", "opskit_jobs_completed_jobs_total", "opskit_health_check_status",
                "opskit_circuitbreaker_state", "opskit_deadletter_oldest_age_seconds");

        // SIGTERM while confirmations run (3 s each, 4 workers)
        post("/orders?count=6", 200);
        await("/status", "confirmations are running", s -> s.path("jobs").path("orders").path("running").asInt() > 0);
        assertThat(process.toHandle().destroy()).isTrue();
        List<Integer> readinessDuringDrain = new ArrayList<>();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        // SIGTERM is delivered asynchronously: a probe answered before the JVM's shutdown began may
        // still be 200; from the first 503 on, readiness must stay 503 until the process is gone
        while (process.isAlive() && System.nanoTime() < end && readinessDuringDrain.stream().filter(c -> c == 503).count() < 3) {
            try {
                readinessDuringDrain.add(get("/actuator/health/readiness").statusCode());
            } catch (IOException gone) {
                break;
            }
            Thread.sleep(100);
        }
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("the application exits after SIGTERM").isTrue();
        Thread.sleep(200); // let the reader thread take the last lines
        String out = application.output();
        // the JVM's status after a SIGTERM it did not override: 128 + 15
        assertThat(process.exitValue()).as("exit status after SIGTERM; output:\n%s", out).isEqualTo(143);
        assertThat(readinessDuringDrain).as("readiness while draining").contains(503);
        assertThat(readinessDuringDrain.subList(readinessDuringDrain.indexOf(503), readinessDuringDrain.size()))
                .as("readiness once the drain began: %s", readinessDuringDrain).containsOnly(503);

        Matcher drain = find(out, "opskit job queue drain report: finished=(\\d+) handedBack=(\\d+) interrupted=(\\d+) took=\\d+ms clean=(\\w+)");
        assertThat(Integer.parseInt(drain.group(1))).as("running jobs were let finish").isPositive();
        assertThat(drain.group(3)).as("nothing had to be interrupted").isEqualTo("0");
        assertThat(drain.group(4)).isEqualTo("true");
        Matcher counts = find(out, "jobs at shutdown: total=(\\d+) available=(\\d+) running=(\\d+) completed=(\\d+) cancelled=(\\d+) dead=(\\d+)");
        assertThat(Integer.parseInt(counts.group(1))).as("no job lost").isEqualTo(9);
        assertThat(counts.group(3)).as("no job left running").isEqualTo("0");
        assertThat(Integer.parseInt(counts.group(4))).isEqualTo(3 + Integer.parseInt(drain.group(1)));
        assertThat(Integer.parseInt(counts.group(2))).as("the rest wait for the next start")
                .isEqualTo(6 - Integer.parseInt(drain.group(1)));

        Matcher pg = find(out, "embedded PostgreSQL on port " + pgPort + " stopped, (\\S+) removed");
        assertThat(Path.of(pg.group(1))).doesNotExist();
        assertThat(portAcceptsConnections(pgPort)).as("PostgreSQL still listening on %s", pgPort).isFalse();
    }

    // ------------------------------------------------------------------ the process

    private void start(int httpPort, int pgPort) throws IOException {
        application = ServiceProcess.start("the application", SpringExampleApplication.class, httpPort,
                List.of("DATABASE_URL", "EMAIL_CIRCUIT_OPEN", "EMAIL_CIRCUIT_DISABLED"),
                Map.of("OPSKIT_HTTP_PORT", String.valueOf(httpPort),
                        "OPSKIT_EXAMPLE_PG_PORT", String.valueOf(pgPort),
                        "EXAMPLE_CONFIRMATION_MILLIS", "3000"),
                Path.of("target", "spring-example-e2e.log"));
        process = application.process();
    }

    private JsonNode await(String path, String what, Predicate<JsonNode> condition) throws Exception {
        return application.await(path, what, STEP, condition);
    }

    // ------------------------------------------------------------------ plumbing

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return application.get(path);
    }

    private HttpResponse<String> post(String path, int expectedStatus) throws IOException, InterruptedException {
        HttpResponse<String> r = application.post(path);
        assertThat(r.statusCode()).as("POST %s answered %s", path, r.body()).isEqualTo(expectedStatus);
        return r;
    }
}
