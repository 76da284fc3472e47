package dev.opskit.examples;

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
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The example service as an operator meets it: started as its own process (with its own embedded
 * PostgreSQL), driven only through HTTP, stopped with SIGTERM.
 */
class ExampleServiceEndToEndTest {
    /** Generous: the machine may be shared by several builds (embedded PostgreSQL alone can take 30 s then). */
    private static final Duration STARTUP = Duration.ofMinutes(3);
    private static final Duration STEP = Duration.ofSeconds(90);

    private ServiceProcess service;
    private Process process;

    @AfterEach
    void stopTheServiceIfStillRunning() throws Exception {
        if (service != null) {
            service.close();
        }
    }

    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void servesProbesRunsJobsThroughBreakersAndDrainsOnSigterm() throws Exception {
        int httpPort = freePort();
        int pgPort = freePort();
        start(httpPort, pgPort);
        service.awaitReady("/health/ready", STARTUP);

        // probes and metrics
        assertThat(get("/health/live").statusCode()).isEqualTo(200);
        JsonNode health = json(get("/health"));
        assertThat(health.path("checks").fieldNames()).toIterable()
                .contains("db", "db-pool", "disk", "breaker.email", "breaker.openai", "jobs", "dead-letters");
        String metrics = get("/metrics").body();
        assertThat(metrics).contains("opskit_circuitbreaker_state", "opskit_health_check_status");

        // jobs complete; a poison job lands in the dead letters after its attempts
        assertThat(json(post("/demo/emails?count=5")).path("enqueued").path("emails").asInt()).isEqualTo(5);
        assertThat(json(post("/demo/poison")).path("maxAttempts").asInt()).isEqualTo(3);
        await("5 e-mails sent", s -> s.path("jobs").path("emails").path("completed").asInt() >= 5);

        // the operator's console on the same port, with actions allowed by OPSKIT_CONSOLE_TOKEN
        assertThat(get("/console").statusCode()).isEqualTo(200);
        assertThat(json(get("/console/api/config")).path("readOnly").asBoolean()).isFalse();
        assertThat(json(get("/console/api/summary")).path("queues").findValuesAsText("queue")).contains("emails");

        // the e-mail provider goes down: the breaker opens and the jobs wait instead of failing
        post("/demo/providers/email/down");
        post("/demo/emails?count=8");
        JsonNode open = await("the email breaker rejects calls and jobs are postponed",
                s -> s.path("handlers").path("email.rejected").asInt() > 0
                        && s.path("breakers").path("email").path("state").asText().matches("OPEN|HALF_OPEN"));
        assertThat(open.path("jobs").path("emails").path("available").asInt()).as("jobs wait while the breaker is open").isPositive();
        assertThat(open.path("breakers").path("email").path("forced").asBoolean()).isFalse();
        await("/health", "the open breaker makes health DEGRADED",
                h -> h.path("checks").path("breaker.email").path("status").asText().equals("DEGRADED")
                        && h.path("status").asText().equals("DEGRADED"));
        assertThat(get("/health/ready").statusCode()).as("an open breaker degrades, it does not take the service out").isEqualTo(200);

        // it recovers: the breaker closes and every waiting job completes, none died
        post("/demo/providers/email/recover");
        JsonNode healed = await("all 13 e-mails sent after the provider recovered",
                s -> s.path("jobs").path("emails").path("completed").asInt() == 13
                        && s.path("breakers").path("email").path("state").asText().equals("CLOSED"));
        JsonNode deadLetters = await("the poison job waits in the dead letters",
                s -> s.path("deadLetters").path("jobqueue:emails").path("waiting").asInt() == 1);
        assertThat(deadLetters.path("jobs").path("emails").path("dead").asInt()).as("only the poison job died").isEqualTo(1);
        assertThat(healed.path("handlers").path("emails.sent").asInt()).isEqualTo(13);

        // every metric the shipped alert rules and dashboard query is one this service publishes
        String scraped = get("/metrics").body();
        for (String artifact : List.of("opskit-alerts.yml", "opskit-dashboard.json")) {
            String text;
            try (java.io.InputStream in = getClass().getResourceAsStream("/dev/opskit/ops/" + artifact)) {
                assertThat(in).as(artifact + " in opskit-core.jar").isNotNull();
                text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            }
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("opskit_[a-z_]+").matcher(text);
            int referenced = 0;
            while (m.find()) {
                referenced++;
                assertThat(scraped).as("%s queries %s, which /metrics must publish", artifact, m.group())
                        .containsPattern("(?m)^" + m.group() + "[{ ]");
            }
            assertThat(referenced).as(artifact).isGreaterThan(5);
        }

        // SIGTERM while OCR jobs run
        post("/demo/ocr?count=12");
        JsonNode running = await("OCR jobs are running", s -> s.path("jobs").path("ocr").path("running").asInt() > 0);
        int enqueued = 5 + 1 + 8 + 12;
        assertThat(totalJobs(running)).as("every enqueued job is in the queue's table").isEqualTo(enqueued);
        // SIGTERM through the handle: Process.destroy() would also close our end of the output pipe
        assertThat(process.toHandle().destroy()).isTrue();
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("the service exits after SIGTERM").isTrue();
        Thread.sleep(200); // let the reader thread take the last lines
        String out = service.output();
        assertThat(process.exitValue()).as("exit status after SIGTERM; output:\n%s", out).isZero();

        assertThat(out).contains("readiness now answers DOWN");
        Matcher drain = find(out, "job queue drain report: finished=(\\d+) handedBack=(\\d+) interrupted=(\\d+) took=\\d+ms clean=(\\w+)");
        // the jobs running at SIGTERM were let finish (or, claimed but not yet started, handed back)
        assertThat(Integer.parseInt(drain.group(1)) + Integer.parseInt(drain.group(2))).as("drained jobs").isPositive();
        assertThat(drain.group(3)).as("nothing had to be interrupted").isEqualTo("0");
        assertThat(drain.group(4)).isEqualTo("true");
        Matcher counts = find(out, "jobs at shutdown: total=(\\d+) available=(\\d+) running=(\\d+) completed=(\\d+) cancelled=(\\d+) dead=(\\d+)");
        assertThat(Integer.parseInt(counts.group(1))).as("no job lost").isEqualTo(enqueued);
        assertThat(counts.group(3)).as("no job left running").isEqualTo("0");
        assertThat(Integer.parseInt(counts.group(4))).as("completed").isGreaterThanOrEqualTo(13 + Integer.parseInt(drain.group(1)));
        assertThat(counts.group(6)).as("only the poison job is dead").isEqualTo("1");
        assertThat(out).contains("opskit graceful shutdown report: clean=true");

        // nothing left behind: the embedded PostgreSQL is stopped and its directory removed
        Matcher pg = find(out, "embedded PostgreSQL on port " + pgPort + " stopped, (\\S+) removed");
        assertThat(Path.of(pg.group(1))).doesNotExist();
        assertThat(portAcceptsConnections(pgPort)).as("PostgreSQL still listening on %s", pgPort).isFalse();
    }

    // ------------------------------------------------------------------ the process

    private void start(int httpPort, int pgPort) throws IOException {
        service = ServiceProcess.start("the service", ExampleService.class, httpPort,
                List.of("DATABASE_URL", "APP_ENV", "EXAMPLE_EXTRA_MIGRATIONS", "OPENAI_CIRCUIT_OPEN", "EMAIL_CIRCUIT_OPEN",
                        "OPENAI_CIRCUIT_DISABLED", "EMAIL_CIRCUIT_DISABLED", "OPSKIT_CONSOLE_ENABLED"),
                Map.of("OPSKIT_HTTP_PORT", String.valueOf(httpPort),
                        "OPSKIT_CONSOLE_TOKEN", "e2e-console-token-0123456789",
                        "OPSKIT_EXAMPLE_PG_PORT", String.valueOf(pgPort)),
                Path.of("target", "example-service-e2e.log"));
        process = service.process();
    }

    /** Polls {@code /status} until {@code condition} holds; returns that status. */
    private JsonNode await(String what, Predicate<JsonNode> condition) throws Exception {
        return await("/status", what, condition);
    }

    /** Polls a JSON endpoint until {@code condition} holds; returns that answer. */
    private JsonNode await(String path, String what, Predicate<JsonNode> condition) throws Exception {
        return service.await(path, what, STEP, condition);
    }

    // ------------------------------------------------------------------ plumbing

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return service.get(path);
    }

    private HttpResponse<String> post(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = service.post(path);
        assertThat(r.statusCode()).as("POST %s answered %s", path, r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        return r;
    }
}
