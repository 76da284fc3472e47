package dev.opskit.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<String> output = new CopyOnWriteArrayList<>();
    private Process process;
    private int httpPort;

    @AfterEach
    void stopTheApplicationIfStillRunning() throws Exception {
        if (process != null && process.isAlive()) {
            process.toHandle().destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void placesOrdersInOneTransactionWithTheirJobsServesActuatorAndDrainsOnSigterm() throws Exception {
        httpPort = freePort();
        int pgPort = freePort();
        start(httpPort, pgPort);
        awaitReady();

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
        String out = String.join("\n", output);
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
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-cp", classpath, SpringExampleApplication.class.getName());
        Map<String, String> env = pb.environment();
        for (String name : List.of("DATABASE_URL", "EMAIL_CIRCUIT_OPEN", "EMAIL_CIRCUIT_DISABLED")) {
            env.remove(name);
        }
        env.put("OPSKIT_HTTP_PORT", String.valueOf(httpPort));
        env.put("OPSKIT_EXAMPLE_PG_PORT", String.valueOf(pgPort));
        env.put("EXAMPLE_CONFIRMATION_MILLIS", "3000");
        pb.redirectErrorStream(true);
        process = pb.start();
        Path log = Path.of("target", "spring-example-e2e.log");
        Files.createDirectories(log.getParent());
        PrintWriter copy = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8), true);
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    output.add(line);
                    copy.println(line);
                }
            } catch (IOException e) {
                output.add("(reading the output failed: " + e + ")");
            } finally {
                copy.close();
            }
        }, "spring-example-output");
        reader.setDaemon(true);
        reader.start();
    }

    private void awaitReady() throws Exception {
        long end = System.nanoTime() + STARTUP.toNanos();
        while (System.nanoTime() < end) {
            if (!process.isAlive()) {
                fail("the application exited with status %d before it was ready; output:\n%s", process.exitValue(), String.join("\n", output));
            }
            try {
                if (get("/actuator/health/readiness").statusCode() == 200) {
                    return;
                }
            } catch (ConnectException notYet) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        fail("the application was not ready within %s; output:\n%s", STARTUP, String.join("\n", output));
    }

    private JsonNode await(String path, String what, Predicate<JsonNode> condition) throws Exception {
        long end = System.nanoTime() + STEP.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < end) {
            last = json(get(path));
            if (condition.test(last)) {
                return last;
            }
            Thread.sleep(200);
        }
        return fail("waited %s for: %s; last answer of %s:\n%s", STEP, what, path, last == null ? "none" : last.toPrettyString());
    }

    private static int totalJobs(JsonNode status) {
        int total = 0;
        for (JsonNode queue : status.path("jobs")) {
            for (String state : List.of("available", "running", "completed", "cancelled", "dead")) {
                total += queue.path(state).asInt();
            }
        }
        return total;
    }

    // ------------------------------------------------------------------ plumbing

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, int expectedStatus) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("POST %s answered %s", path, r.body()).isEqualTo(expectedStatus);
        return r;
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + httpPort + path);
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body());
    }

    private static Matcher find(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        if (!m.find()) {
            fail("the output has no line matching /%s/; output:\n%s", regex, text);
        }
        return m;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    private static boolean portAcceptsConnections(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
