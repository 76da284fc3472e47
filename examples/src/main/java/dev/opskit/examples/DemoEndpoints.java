package dev.opskit.examples;

import dev.opskit.breaker.BreakerSnapshot;
import dev.opskit.breaker.ProviderBreakers;
import dev.opskit.core.shutdown.GracefulShutdown;
import dev.opskit.deadletter.DeadLetterStore;
import dev.opskit.deadletter.SourceStats;
import dev.opskit.health.EndpointRequest;
import dev.opskit.health.EndpointResponse;
import dev.opskit.health.HealthRegistry;
import dev.opskit.health.HttpEndpoint;
import dev.opskit.jobqueue.Job;
import dev.opskit.jobqueue.JobQueue;
import dev.opskit.jobqueue.QueueCounts;
import dev.opskit.jobqueue.Workers;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The example's own HTTP routes, served by the health server next to {@code /health} and
 * {@code /metrics}: {@code GET /status} and the {@code POST /demo/...} actions. Every answer is
 * JSON; every action is also logged, so the terminal shows what happened.
 */
final class DemoEndpoints {
    private static final Logger log = LoggerFactory.getLogger(DemoEndpoints.class);
    private static final int MAX_COUNT = Demo.MAX_BATCH;

    private final Demo demo;
    private final JobQueue queue;
    private final Supplier<Workers> workers;
    private final DeadLetterStore deadLetters;
    private final ProviderBreakers breakers;
    private final HealthRegistry health;
    private final GracefulShutdown shutdown;
    private final Instant startedAt;
    private final Map<String, Object> database;

    DemoEndpoints(Demo demo, JobQueue queue, Supplier<Workers> workers, DeadLetterStore deadLetters,
            ProviderBreakers breakers, HealthRegistry health, GracefulShutdown shutdown, Instant startedAt,
            Map<String, Object> database) {
        this.demo = demo;
        this.queue = queue;
        this.workers = workers;
        this.deadLetters = deadLetters;
        this.breakers = breakers;
        this.health = health;
        this.shutdown = shutdown;
        this.startedAt = startedAt;
        this.database = database;
    }

    /** Path to endpoint, for {@code HealthServer.Builder.route}. */
    Map<String, HttpEndpoint> routes() {
        Map<String, HttpEndpoint> routes = new LinkedHashMap<>();
        routes.put("/status", get(r -> json(200, status())));
        routes.put("/jobs/stuck", get(this::stuckJobs));
        routes.put("/demo/emails", post(r -> createOrders(r, true, false)));
        routes.put("/demo/ocr", post(r -> createOrders(r, false, true)));
        routes.put("/demo/orders", post(r -> createOrders(r, true, true)));
        routes.put("/demo/poison", post(r -> poison()));
        routes.put("/demo/poison/fix", post(r -> fixPoison()));
        for (String provider : demo.providers().keySet()) {
            routes.put("/demo/providers/" + provider + "/down", post(r -> provider(provider, SimulatedProvider.Mode.DOWN)));
            routes.put("/demo/providers/" + provider + "/503", post(r -> provider(provider, SimulatedProvider.Mode.ERROR_503)));
            routes.put("/demo/providers/" + provider + "/recover", post(r -> provider(provider, SimulatedProvider.Mode.HEALTHY)));
        }
        return routes;
    }

    // ------------------------------------------------------------------ actions

    private EndpointResponse createOrders(EndpointRequest r, boolean email, boolean ocr) throws Exception {
        if (shutdown.isShuttingDown()) {
            return json(503, Map.of("error", "shutting down: no new work is accepted"));
        }
        String raw = r.queryParameter("count").orElse("1");
        int count;
        try {
            count = Integer.parseInt(raw.strip());
        } catch (NumberFormatException e) {
            return json(400, Map.of("error", "count must be a whole number from 1 to " + MAX_COUNT + ", but was '" + abbreviate(raw) + "'"));
        }
        if (count < 1 || count > MAX_COUNT) {
            return json(400, Map.of("error", "count must be from 1 to " + MAX_COUNT + ", but was " + count));
        }
        List<Long> orders = demo.createOrders(count, email, ocr);
        Map<String, Object> jobs = new LinkedHashMap<>();
        if (email) {
            jobs.put(Demo.EMAIL_QUEUE, count);
        }
        if (ocr) {
            jobs.put(Demo.OCR_QUEUE, count);
        }
        log.info("demo: created {} orders {} and enqueued their jobs {} in the same transaction", count, range(orders), jobs);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("orders", count);
        body.put("orderIds", range(orders));
        body.put("enqueued", jobs);
        body.put("next", "GET /status shows them run; jobs wait (postponed, no attempt spent) while a breaker is open");
        return json(200, body);
    }

    private EndpointResponse poison() {
        if (shutdown.isShuttingDown()) {
            return json(503, Map.of("error", "shutting down: no new work is accepted"));
        }
        long id = demo.enqueuePoison();
        log.info("demo: enqueued poison job {} on queue {} ({} attempts; it fails until POST /demo/poison/fix)",
                id, Demo.EMAIL_QUEUE, Demo.POISON_ATTEMPTS);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("jobId", id);
        body.put("queue", Demo.EMAIL_QUEUE);
        body.put("kind", Demo.POISON);
        body.put("maxAttempts", Demo.POISON_ATTEMPTS);
        body.put("bugFixed", demo.poisonFixed());
        body.put("next", demo.poisonFixed()
                ? "the bug is fixed: this job completes"
                : "it fails " + Demo.POISON_ATTEMPTS + " times, then waits in the dead letters (source jobqueue:" + Demo.EMAIL_QUEUE + ")");
        return json(200, body);
    }

    private EndpointResponse fixPoison() {
        demo.fixPoison();
        log.info("demo: the poison job's bug is fixed; replayed dead letters now complete");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("bugFixed", true);
        body.put("next", "replay the dead letters with the dead-letter command line; they complete now");
        return json(200, body);
    }

    private EndpointResponse provider(String name, SimulatedProvider.Mode mode) {
        SimulatedProvider provider = Objects.requireNonNull(demo.provider(name), name);
        SimulatedProvider.Mode before = provider.mode();
        provider.set(mode);
        log.info("demo: provider {} is now {} (was {})", name, mode, before);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("provider", name);
        body.put("mode", mode.name());
        body.put("was", before.name());
        body.put("breaker", breaker(name));
        body.put("next", switch (mode) {
            case HEALTHY -> "the breaker lets a probe call through after its open wait, then closes; waiting jobs complete";
            case DOWN, ERROR_503 -> "calls fail; after a few failures the breaker opens and jobs wait instead of failing";
        });
        return json(200, body);
    }

    /** The runbook's stuck-job query: {@code GET /jobs/stuck?minutes=10} lists jobs running longer than that. */
    private EndpointResponse stuckJobs(EndpointRequest r) {
        String raw = r.queryParameter("minutes").orElse("10");
        long minutes;
        try {
            minutes = Long.parseLong(raw.strip());
        } catch (NumberFormatException e) {
            minutes = -1;
        }
        if (minutes < 0 || minutes > 60L * 24 * 365) {
            return json(400, Map.of("error", "minutes must be a whole number of minutes from 0, but was '" + abbreviate(raw) + "'"));
        }
        List<Map<String, Object>> jobs = new java.util.ArrayList<>();
        for (Job j : queue.stuckJobs(Duration.ofMinutes(minutes), 100)) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("id", j.id());
            one.put("queue", j.queue());
            one.put("kind", j.kind());
            one.put("attempt", j.attempt());
            one.put("maxAttempts", j.maxAttempts());
            one.put("workerId", j.workerId());
            one.put("attemptedAt", j.attemptedAt());
            one.put("leaseExpiresAt", j.leaseExpiresAt());
            jobs.add(one);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("runningLongerThanMinutes", minutes);
        body.put("count", jobs.size());
        body.put("jobs", jobs);
        return json(200, body);
    }

    // ------------------------------------------------------------------ status

    Map<String, Object> status() {
        Map<String, Object> s = new LinkedHashMap<>();
        Instant now = Instant.now();
        s.put("service", "opskit-example");
        s.put("pid", ProcessHandle.current().pid());
        s.put("startedAt", startedAt);
        s.put("uptimeMs", Duration.between(startedAt, now).toMillis());
        s.put("shuttingDown", shutdown.isShuttingDown());
        s.put("readiness", health.readiness().status().name());
        s.put("database", database);
        Map<String, Object> providers = new LinkedHashMap<>();
        demo.providers().forEach((name, p) -> {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("mode", p.mode().name());
            one.put("calls", p.calls());
            providers.put(name, one);
        });
        s.put("providers", providers);
        Map<String, Object> br = new LinkedHashMap<>();
        for (String name : breakers.names()) {
            br.put(name, breaker(name));
        }
        s.put("breakers", br);
        s.put("jobs", jobCounts(queue.counts()));
        Workers w = workers.get();
        s.put("jobsInThisProcess", w == null ? 0 : w.activeJobs());
        Map<String, Object> dl = new LinkedHashMap<>();
        for (SourceStats st : deadLetters.stats()) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("waiting", st.waiting());
            one.put("replayed", st.replayed());
            one.put("oldestWaitingDiedAt", st.oldestWaitingDiedAt());
            dl.put(st.source(), one);
        }
        s.put("deadLetters", dl);
        s.put("handlers", demo.counters());
        s.put("poisonBugFixed", demo.poisonFixed());
        return s;
    }

    private Map<String, Object> breaker(String name) {
        BreakerSnapshot b = breakers.snapshot().stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("state", b.state().name());
        m.put("forced", b.forced());
        m.put("failureRate", b.failureRate());
        m.put("bufferedCalls", b.bufferedCalls());
        m.put("failedCalls", b.failedCalls());
        m.put("notPermittedCalls", b.notPermittedCalls());
        m.put("retryAfterMs", b.retryAfter().toMillis());
        return m;
    }

    /** Counts per queue and state; the demo's queues are always present, with zeros when empty. */
    static Map<String, Object> jobCounts(List<QueueCounts> counts) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String q : Demo.QUEUES) {
            out.put(q, counts(q, null));
        }
        for (QueueCounts c : counts) {
            out.put(c.queue(), counts(c.queue(), c));
        }
        return out;
    }

    private static Map<String, Object> counts(String queue, @Nullable QueueCounts c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("available", c == null ? 0 : c.available());
        m.put("running", c == null ? 0 : c.running());
        m.put("completed", c == null ? 0 : c.completed());
        m.put("cancelled", c == null ? 0 : c.cancelled());
        m.put("dead", c == null ? 0 : c.dead());
        m.put("oldestAvailableAgeMs", c == null ? null : c.oldestAvailable().map(Duration::toMillis).orElse(null));
        return m;
    }

    // ------------------------------------------------------------------ plumbing

    @FunctionalInterface
    private interface Action {
        EndpointResponse handle(EndpointRequest request) throws Exception;
    }

    private static HttpEndpoint post(Action action) {
        return method("POST", action);
    }

    private static HttpEndpoint get(Action action) {
        return method("GET", action);
    }

    private static HttpEndpoint method(String method, Action action) {
        return request -> {
            boolean head = method.equals("GET") && request.method().equals("HEAD");
            if (!request.method().equals(method) && !head) {
                return json(405, Map.of("error", request.path() + " answers " + method + " only, for example: curl -s "
                        + (method.equals("POST") ? "-X POST " : "") + "'localhost:8080" + request.path() + "'"))
                        .withHeader("Allow", method);
            }
            try {
                return action.handle(request);
            } catch (Exception e) {
                log.warn("demo: {} {} failed: {}", request.method(), request.path(), e.toString());
                return json(500, Map.of("error", e.getClass().getSimpleName() + ": " + String.valueOf(e.getMessage())));
            }
        };
    }

    static EndpointResponse json(int status, Map<String, ?> body) {
        return EndpointResponse.of(status, EndpointResponse.JSON, Json.pretty(body) + "\n");
    }

    private static String range(List<Long> ids) {
        if (ids.isEmpty()) {
            return "";
        }
        return ids.size() == 1 ? String.valueOf(ids.get(0)) : ids.get(0) + ".." + ids.get(ids.size() - 1);
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }
}
