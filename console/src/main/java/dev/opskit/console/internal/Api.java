package dev.opskit.console.internal;

import dev.opskit.core.internal.json.JsonWriter;
import dev.opskit.deadletter.DeadLetter;
import dev.opskit.deadletter.DeadLetterException;
import dev.opskit.deadletter.DeadLetterPage;
import dev.opskit.deadletter.DeadLetterQuery;
import dev.opskit.deadletter.DeadLetterReason;
import dev.opskit.deadletter.DeadLetterStatus;
import dev.opskit.deadletter.DeadLetterStore;
import dev.opskit.deadletter.ReplayAllRequest;
import dev.opskit.deadletter.ReplayAllRun;
import dev.opskit.deadletter.ReplayProgress;
import dev.opskit.deadletter.ReplayResult;
import dev.opskit.deadletter.SourceStats;
import dev.opskit.health.EndpointRequest;
import dev.opskit.health.EndpointResponse;
import dev.opskit.jobqueue.CancelResult;
import dev.opskit.jobqueue.Job;
import dev.opskit.jobqueue.JobQueue;
import dev.opskit.jobqueue.JobState;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's requests, relative to its base path: the page and its two files, the read API
 * ({@code GET}) and the actions ({@code POST}, authorised by {@link Auth}). Every action is logged
 * at INFO with who did what and how it ended; every refusal is logged too.
 */
public final class Api implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger("dev.opskit.console.ConsoleEndpoint");
    /** The actions, as counted by {@code ConsoleMetrics} (tag {@code action}). */
    public static final List<String> ACTIONS = List.of("cancel-job", "replay", "replay-all", "replay-all-cancel", "cleanup");
    /** Outcomes of an action (tag {@code outcome}). */
    public static final List<String> OUTCOMES = List.of("done", "refused", "failed");
    private static final String STATES = Arrays.stream(JobState.values()).map(JobState::sqlName).collect(Collectors.joining(", "));
    private static final String REASONS = Arrays.stream(DeadLetterReason.values()).map(DeadLetterReason::code).collect(Collectors.joining(", "));
    /** How long a dry run may take before the answer says it is still running. */
    private static final Duration DRY_RUN_WAIT = Duration.ofSeconds(20);

    private final String basePath;
    /** Names this console in its log lines: base path and schema ({@code /console opskit}). */
    private final String name;
    private final JobQueue queue;
    private final DeadLetterStore deadLetters;
    private final QueueSummary summary;
    private final JobSearch search;
    private final Auth auth;
    private final StaticFiles files;
    private final ReplayRuns runs = new ReplayRuns();
    private final AtomicLong runSequence = new AtomicLong();
    private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
    private final Map<String, Route> routes = new LinkedHashMap<>();

    @FunctionalInterface
    private interface Handler {
        EndpointResponse handle(EndpointRequest request, Params params) throws SQLException;
    }

    private record Route(boolean action, Handler handler) {
    }

    public Api(String basePath, JobQueue queue, DataSource dataSource, String schema, DeadLetterStore deadLetters,
               Auth auth, Duration summaryMaxAge) {
        this.basePath = basePath;
        this.name = basePath + " " + schema;
        this.queue = queue;
        this.deadLetters = deadLetters;
        this.auth = auth;
        this.summary = new QueueSummary(dataSource, schema, deadLetters, summaryMaxAge);
        this.search = new JobSearch(dataSource, schema);
        this.files = new StaticFiles(basePath);
        for (String a : ACTIONS) {
            for (String o : OUTCOMES) {
                counts.put(a + "/" + o, new AtomicLong());
            }
        }
        read("/api/config", (r, p) -> config());
        read("/api/summary", (r, p) -> summary());
        read("/api/jobs", (r, p) -> jobs(p));
        read("/api/job", (r, p) -> job(p));
        read("/api/deadletters", (r, p) -> letters(p));
        read("/api/deadletter", (r, p) -> letter(p));
        read("/api/deadletters/replay-all", (r, p) -> replayRuns(p));
        act("/api/job/cancel", this::cancelJob);
        act("/api/deadletters/replay", this::replay);
        act("/api/deadletters/replay-all/start", this::replayAll);
        act("/api/deadletters/replay-all/cancel", this::cancelReplayAll);
        act("/api/deadletters/cleanup", this::cleanup);
    }

    private void read(String path, Handler h) {
        routes.put(path, new Route(false, h));
    }

    private void act(String path, Handler h) {
        routes.put(path, new Route(true, h));
    }

    /** Every path this console answers, absolute (base path included), for exact-path routers such as {@code HealthServer}. */
    public List<String> paths() {
        List<String> out = new java.util.ArrayList<>();
        for (String p : StaticFiles.paths()) {
            out.add(basePath + p);
        }
        routes.keySet().forEach(p -> out.add(basePath + p));
        return out;
    }

    /** How many times {@code action} ended with {@code outcome}. */
    public long count(String action, String outcome) {
        AtomicLong n = counts.get(action + "/" + outcome);
        return n == null ? 0 : n.get();
    }

    /** Answers one request whose path starts with the base path. */
    public EndpointResponse handle(EndpointRequest request) {
        String path = request.path().substring(basePath.length());
        if (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        String method = request.method();
        boolean read = method.equals("GET") || method.equals("HEAD");
        StaticFiles.File file = files.get(path);
        if (file != null) {
            if (!read) {
                return error(405, "use GET for " + request.path(), null, null).withHeader("Allow", "GET, HEAD");
            }
            return page(file);
        }
        Route route = routes.get(path);
        if (route == null) {
            return error(404, "no such console path: " + request.path(), null, null);
        }
        if (route.action() && !method.equals("POST")) {
            return error(405, request.path() + " changes data: use POST, with the header " + Auth.TOKEN_HEADER, null, null)
                    .withHeader("Allow", "POST");
        }
        if (!route.action() && !read) {
            return error(405, "use GET for " + request.path(), null, null).withHeader("Allow", "GET, HEAD");
        }
        try {
            return route.handler().handle(request, new Params(request));
        } catch (ApiException e) {
            return error(e.status(), String.valueOf(e.getMessage()), e.parameter(), e.value());
        } catch (SQLException | RuntimeException e) {
            log.warn("console[{}] - {} {} failed: {}", name, method, request.path(), e.toString());
            return error(500, request.path() + " failed: " + e.getMessage(), null, null);
        }
    }

    // --- reads ---------------------------------------------------------------------------------

    private EndpointResponse config() {
        JsonWriter w = new JsonWriter().beginObject();
        w.name("basePath").value(basePath);
        w.name("readOnly").value(auth.readOnly());
        w.name("tokenHeader").value(Auth.TOKEN_HEADER);
        w.name("operatorHeader").value(Auth.OPERATOR_HEADER);
        w.name("states").beginArray();
        for (JobState s : JobState.values()) {
            w.value(s.sqlName());
        }
        w.endArray().name("reasons").beginArray();
        for (DeadLetterReason r : DeadLetterReason.values()) {
            w.value(r.code());
        }
        return json(200, w.endArray().endObject());
    }

    private EndpointResponse summary() {
        QueueSummary.Snapshot s;
        try {
            s = summary.get();
        } catch (RuntimeException e) {
            log.warn("console[{}] - queue summary failed: {}", name, e.getMessage());
            return error(503, "could not read the queue summary: " + e.getMessage(), null, null);
        }
        JsonWriter w = new JsonWriter().beginObject();
        Json.field(w, "asOf", s.asOf());
        w.name("ageMs").value(Math.max(0, (System.nanoTime() - s.loadedNanos()) / 1_000_000));
        w.name("queryMs").value(s.queryMillis());
        String refreshError = summary.lastError();
        if (refreshError != null) {
            w.name("refreshError").value(refreshError);
        }
        w.name("queues").beginArray();
        for (QueueSummary.QueueRow q : s.queues()) {
            w.beginObject().name("queue").value(q.queue())
                    .name("available").value(q.due()).name("scheduled").value(q.scheduled())
                    .name("running").value(q.running()).name("completed").value(q.completed())
                    .name("cancelled").value(q.cancelled()).name("dead").value(q.dead());
            if (q.other() > 0) {
                w.name("other").value(q.other());
            }
            Json.seconds(w, "oldestWaitingSeconds", q.oldestDueAge());
            w.endObject();
        }
        w.endArray().name("throughput").beginArray();
        for (QueueSummary.Minute m : s.minutes()) {
            w.beginObject();
            Json.field(w, "minute", m.start());
            w.name("completed").value(m.completed()).name("cancelled").value(m.cancelled()).name("dead").value(m.dead());
            w.endObject();
        }
        w.endArray().name("deadLetters").beginArray();
        for (SourceStats st : s.deadLetters()) {
            w.beginObject().name("source").value(st.source()).name("waiting").value(st.waiting()).name("replayed").value(st.replayed());
            Json.field(w, "oldestWaitingDiedAt", st.oldestWaitingDiedAt());
            w.endObject();
        }
        return json(200, w.endArray().endObject());
    }

    private EndpointResponse jobs(Params p) throws SQLException {
        Optional<Long> id = p.optionalNumber("id", 1);
        JobState state = p.choice("state", s -> JobState.valueOf(s.toUpperCase(Locale.ROOT)), STATES);
        int limit = (int) p.number("limit", 1, JobSearch.MAX_LIMIT, 50);
        long before = p.number("before", 1, Long.MAX_VALUE, Long.MAX_VALUE);
        JsonWriter w = new JsonWriter().beginObject().name("jobs").beginArray();
        Long next = null;
        if (id.isPresent()) {
            Optional<Job> job = queue.get(id.get());
            if (job.isPresent()) {
                jobRow(w, job.get());
            }
        } else {
            List<JobSearch.Row> rows;
            try {
                rows = search.search(new JobSearch.Filter(p.textOrNull("queue"), p.textOrNull("kind"), state, before, limit));
            } catch (SQLException e) {
                if ("57014".equals(e.getSQLState())) {   // query_canceled: the timeout
                    throw ApiException.status(503, "the job search took longer than " + JobSearch.SEARCH_TIMEOUT_SECONDS
                            + " s and was cancelled; narrow it by queue or state (there is no index on kind)");
                }
                throw e;
            }
            for (int i = 0; i < Math.min(limit, rows.size()); i++) {
                JobSearch.Row r = rows.get(i);
                w.beginObject().name("id").value(r.id()).name("queue").value(r.queue()).name("kind").value(r.kind())
                        .name("state").value(r.state()).name("priority").value(r.priority());
                Json.field(w, "runAt", r.runAt());
                Json.field(w, "createdAt", r.createdAt());
                w.name("attempt").value(r.attempt()).name("maxAttempts").value(r.maxAttempts());
                Json.field(w, "workerId", r.workerId());
                Json.field(w, "attemptedAt", r.attemptedAt());
                Json.field(w, "finishedAt", r.finishedAt());
                w.name("errorCount").value(r.errorCount());
                Json.field(w, "lastError", r.lastError());
                w.endObject();
            }
            if (rows.size() > limit) {
                next = rows.get(limit - 1).id();
            }
        }
        w.endArray();
        Json.field(w, "nextBefore", next);
        return json(200, w.endObject());
    }

    /** A job found by id, in the shape of a search row. */
    private static void jobRow(JsonWriter w, Job j) {
        jobFields(w.beginObject(), j);
        List<?> errors = Json.array(j.errors());
        w.name("errorCount").value(errors.size());
        Object last = errors.isEmpty() ? null : errors.get(errors.size() - 1);
        Json.field(w, "lastError", last instanceof Map<?, ?> m && m.get("message") != null ? String.valueOf(m.get("message")) : null);
        w.endObject();
    }

    /** The fields a search row and a job's detail share. */
    private static void jobFields(JsonWriter w, Job j) {
        w.name("id").value(j.id()).name("queue").value(j.queue()).name("kind").value(j.kind())
                .name("state").value(j.state().sqlName()).name("priority").value(j.priority());
        Json.field(w, "runAt", j.runAt());
        Json.field(w, "createdAt", j.createdAt());
        w.name("attempt").value(j.attempt()).name("maxAttempts").value(j.maxAttempts());
        Json.field(w, "workerId", j.workerId());
        Json.field(w, "attemptedAt", j.attemptedAt());
        Json.field(w, "finishedAt", j.finishedAt());
    }

    private EndpointResponse job(Params p) throws SQLException {
        long id = p.requiredNumber("id", 1);
        Job j = queue.get(id).orElseThrow(() -> ApiException.status(404, "no job " + id
                + " (finished jobs are found only while the queue keeps them)"));
        JsonWriter w = new JsonWriter().beginObject();
        jobFields(w, j);
        Json.field(w, "uniqueKey", j.uniqueKey());
        Json.field(w, "leaseExpiresAt", j.leaseExpiresAt());
        Json.field(w, "replayOf", j.replayOf());
        // a waiting job is cancelled at once, a running one is asked to stop (JobQueue.requestCancel)
        w.name("cancellable").value(j.state() == JobState.AVAILABLE || j.state() == JobState.RUNNING);
        // the job queue cannot retry a live job; a dead one is retried by replaying its dead letter
        Json.field(w, "deadLetter", j.state() == JobState.DEAD ? search.deadLetterOf(j.id(), j.queue()) : null);
        Json.embedded(w, "payload", j.payload());
        Json.embedded(w, "errors", j.errors());
        return json(200, w.endObject());
    }

    private DeadLetterQuery letterQuery(Params p, boolean paged) {
        DeadLetterQuery.Builder b = DeadLetterQuery.builder()     // status dead (waiting) unless asked otherwise
                .source(p.textOrNull("source"))
                .kind(p.textOrNull("kind"))
                .reason(p.choice("reason", DeadLetterReason::fromCode, REASONS));
        Optional<String> status = p.text("status");
        if (status.isPresent() && status.get().equalsIgnoreCase("any")) {
            b.anyStatus();
        } else if (status.isPresent()) {
            b.status(p.choice("status", DeadLetterStatus::fromCode, "dead, replayed, any"));
        }
        if (paged) {
            b.afterId(p.number("after", 0, Long.MAX_VALUE, 0));
            b.limit((int) p.number("limit", 1, 500, 50));
        }
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw ApiException.badParameter("source", p.text("source").orElse(""), String.valueOf(e.getMessage()));
        }
    }

    private EndpointResponse letters(Params p) {
        DeadLetterQuery q = letterQuery(p, true);
        DeadLetterPage page = deadLetters.list(q);
        JsonWriter w = new JsonWriter().beginObject().name("total").value(deadLetters.count(q)).name("letters").beginArray();
        for (DeadLetter l : page.letters()) {
            w.beginObject().name("id").value(l.id()).name("source").value(l.source()).name("kind").value(l.kind())
                    .name("reason").value(l.reason().code()).name("status").value(l.status().code())
                    .name("attempts").value(l.attempts());
            Json.field(w, "diedAt", l.diedAt());
            Json.field(w, "errorType", l.errorType());
            String m = l.message();
            Json.field(w, "message", m != null && m.length() > 300 ? m.substring(0, 300) + "…" : m);
            w.name("replayCount").value(l.replayCount());
            Json.field(w, "lastReplayError", l.lastReplayError());
            w.name("hasTarget").value(deadLetters.hasReplayTarget(l.source()));
            w.endObject();
        }
        w.endArray();
        Json.field(w, "nextAfter", page.nextAfterId().isPresent() ? page.nextAfterId().getAsLong() : null);
        return json(200, w.endObject());
    }

    private EndpointResponse letter(Params p) {
        long id = p.requiredNumber("id", 1);
        DeadLetter l = deadLetters.get(id).orElseThrow(() -> ApiException.status(404, "no dead letter " + id));
        JsonWriter w = new JsonWriter().beginObject();
        w.name("id").value(l.id()).name("source").value(l.source()).name("kind").value(l.kind())
                .name("status").value(l.status().code()).name("reason").value(l.reason().code());
        Json.field(w, "reasonDetail", l.reasonDetail());
        w.name("attempts").value(l.attempts());
        Json.field(w, "firstFailedAt", l.firstFailedAt());
        Json.field(w, "lastFailedAt", l.lastFailedAt());
        Json.field(w, "diedAt", l.diedAt());
        Json.field(w, "errorType", l.errorType());
        Json.field(w, "causeType", l.causeType());
        Json.field(w, "message", l.message());
        Json.field(w, "stackTrace", l.stackTrace());
        Json.embedded(w, "errorHistory", l.errorHistory());
        Json.field(w, "idempotencyKey", l.idempotencyKey());
        w.name("headers").beginObject();
        l.headers().forEach((k, v) -> w.name(k).value(v));
        w.endObject();
        Json.field(w, "replayOf", l.replayOf());
        w.name("replayCount").value(l.replayCount());
        Json.field(w, "lastReplayedAt", l.lastReplayedAt());
        Json.field(w, "lastReplayRef", l.lastReplayRef());
        Json.field(w, "lastReplayError", l.lastReplayError());
        w.name("hasTarget").value(deadLetters.hasReplayTarget(l.source()));
        Json.embedded(w, "payload", l.payload());
        return json(200, w.endObject());
    }

    private EndpointResponse replayRuns(Params p) {
        Optional<Long> id = p.optionalNumber("run", 1);
        JsonWriter w = new JsonWriter();
        if (id.isPresent()) {
            ReplayRuns.Tracked t = runs.get(id.get());
            if (t == null) {
                throw ApiException.status(404, "no replay-all run " + id.get() + " started by this console (the last "
                        + ReplayRuns.KEEP + " are kept)");
            }
            run(w, t);
            return json(200, w);
        }
        w.beginObject().name("runs").beginArray();
        runs.all().forEach(t -> run(w, t));
        return json(200, w.endArray().endObject());
    }

    private static void run(JsonWriter w, ReplayRuns.Tracked t) {
        ReplayProgress p = t.run().progress();
        w.beginObject().name("run").value(t.id()).name("storeRunId").value(p.runId())
                .name("filter").value(t.filter()).name("dryRun").value(t.dryRun())
                .name("startedBy").value(t.startedBy());
        Json.field(w, "startedAt", t.startedAt());
        w.name("state").value(p.state().name().toLowerCase(Locale.ROOT))
                .name("total").value(p.total()).name("done").value(p.done()).name("failed").value(p.failed())
                .name("skipped").value(p.skipped()).name("toDo").value(p.toDo());
        Optional<Throwable> error = t.run().error();
        if (error.isPresent()) {
            w.name("error").value(String.valueOf(error.get().getMessage()));
        }
        w.endObject();
    }

    // --- actions -------------------------------------------------------------------------------

    private Auth.Actor authorize(EndpointRequest r, String action, String what) {
        try {
            return auth.authorize(r);
        } catch (ApiException e) {
            counter(action, "refused").incrementAndGet();
            log.info("console[{}] - refused {} ({}): {} [origin {}]", name, what, e.status(), e.getMessage(),
                    r.header("Origin").orElse("none"));
            throw e;
        }
    }

    private AtomicLong counter(String action, String outcome) {
        return counts.computeIfAbsent(action + "/" + outcome, k -> new AtomicLong());
    }

    private void done(String action, Auth.Actor who, String what, String result) {
        counter(action, "done").incrementAndGet();
        log.info("console[{}] - {}: {} -> {}", name, who, what, result);
    }

    private void failed(String action, Auth.Actor who, String what, RuntimeException e) {
        counter(action, "failed").incrementAndGet();
        log.warn("console[{}] - {}: {} failed: {}", name, who, what, e.getMessage());
    }

    private EndpointResponse cancelJob(EndpointRequest r, Params p) {
        Auth.Actor who = authorize(r, "cancel-job", "cancel job");
        long id = p.requiredNumber("id", 1);
        String what = "cancel job " + id;
        try {
            CancelResult result = queue.requestCancel(id);
            done("cancel-job", who, what, result.code());
            JsonWriter w = new JsonWriter().beginObject().name("id").value(id)
                    .name("cancelled").value(result.accepted()).name("result").value(result.code());
            switch (result) {
                case CANCEL_REQUESTED -> w.name("detail").value("job " + id + " is running: its worker was asked to stop it"
                        + " and will, within a third of its lease; it then ends cancelled and is never retried");
                case ALREADY_FINISHED -> w.name("detail").value("job " + id + " already finished;"
                        + " only a waiting or running job can be cancelled");
                case NOT_FOUND -> w.name("detail").value("no job " + id + " (finished jobs are found only while the queue keeps them)");
                case CANCELLED -> { }
            }
            return json(200, w.endObject());
        } catch (RuntimeException e) {
            failed("cancel-job", who, what, e);
            throw e;
        }
    }

    private EndpointResponse replay(EndpointRequest r, Params p) {
        Auth.Actor who = authorize(r, "replay", "replay dead letters");
        List<Long> ids = p.ids("id");
        String what = "replay dead letter" + (ids.size() == 1 ? " " + ids.get(0) : "s " + ids);
        try {
            List<ReplayResult> results = deadLetters.replay(ids);
            Map<String, Long> byOutcome = results.stream().collect(Collectors.groupingBy(x -> x.outcome().code(),
                    java.util.TreeMap::new, Collectors.counting()));
            done("replay", who, what, byOutcome.toString());
            JsonWriter w = new JsonWriter().beginObject().name("results").beginArray();
            for (ReplayResult x : results) {
                w.beginObject().name("id").value(x.id()).name("outcome").value(x.outcome().code())
                        .name("replayed").value(x.outcome().isSuccess());
                Json.field(w, "detail", x.detail());
                Json.field(w, "reference", x.reference());
                w.endObject();
            }
            return json(200, w.endArray().endObject());
        } catch (RuntimeException e) {
            failed("replay", who, what, e);
            throw e;
        }
    }

    private EndpointResponse replayAll(EndpointRequest r, Params p) {
        Auth.Actor who = authorize(r, "replay-all", "replay all dead letters");
        DeadLetterQuery filter = letterQuery(p, false);
        if (filter.status() != DeadLetterStatus.DEAD) {
            throw ApiException.badParameter("status", p.text("status").orElse(""), "replay-all replays waiting letters only (status dead)");
        }
        boolean dryRun = p.flag("dryRun", false);
        double rate = p.decimal("rate", 0, 100_000, 0);
        String description = describe(filter);
        String what = (dryRun ? "dry-run " : "") + "replay-all of " + description + (rate > 0 ? " at " + rate + "/s" : "");
        ReplayAllRun run;
        try {
            run = deadLetters.startReplayAll(ReplayAllRequest.builder().filter(filter).dryRun(dryRun).ratePerSecond(rate).build());
        } catch (DeadLetterException e) {
            failed("replay-all", who, what, e);
            throw ApiException.status(409, String.valueOf(e.getMessage()));
        } catch (RuntimeException e) {
            failed("replay-all", who, what, e);
            throw e;
        }
        ReplayRuns.Tracked t = new ReplayRuns.Tracked(runSequence.incrementAndGet(), run, description, dryRun, who.toString(), Instant.now());
        runs.add(t);
        if (dryRun) {
            try {
                run.await(DRY_RUN_WAIT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        ReplayProgress progress = run.progress();
        done("replay-all", who, what, "console run " + t.id() + (dryRun ? ": " + progress.done() + " of " + progress.total()
                + " have a target, " + progress.failed() + " have none" : " started (store run " + progress.runId() + ", "
                + progress.total() + " letters)"));
        JsonWriter w = new JsonWriter();
        run(w, t);
        return json(dryRun ? 200 : 202, w);
    }

    private EndpointResponse cancelReplayAll(EndpointRequest r, Params p) {
        Auth.Actor who = authorize(r, "replay-all-cancel", "cancel a replay-all run");
        long id = p.requiredNumber("run", 1);
        ReplayRuns.Tracked t = runs.get(id);
        if (t == null) {
            throw ApiException.status(404, "no replay-all run " + id + " started by this console");
        }
        t.run().cancel();
        done("replay-all-cancel", who, "cancel replay-all run " + id, "asked to stop after the current batch");
        JsonWriter w = new JsonWriter();
        run(w, t);
        return json(200, w);
    }

    private EndpointResponse cleanup(EndpointRequest r, Params p) {
        Auth.Actor who = authorize(r, "cleanup", "clean up replayed dead letters");
        Duration olderThan = p.age("olderThan", Duration.ZERO);
        String what = "clean up dead letters replayed more than " + olderThan + " ago";
        try {
            long removed = deadLetters.cleanupReplayed(olderThan);
            done("cleanup", who, what, removed + " removed");
            return json(200, new JsonWriter().beginObject().name("removed").value(removed).endObject());
        } catch (RuntimeException e) {
            failed("cleanup", who, what, e);
            throw e;
        }
    }

    private static String describe(DeadLetterQuery q) {
        StringBuilder sb = new StringBuilder();
        if (q.source() != null) {
            sb.append("source=").append(q.source()).append(' ');
        }
        if (q.kind() != null) {
            sb.append("kind=").append(q.kind()).append(' ');
        }
        if (q.reason() != null) {
            sb.append("reason=").append(q.reason().code()).append(' ');
        }
        return sb.length() == 0 ? "every waiting letter" : sb.toString().trim();
    }

    // --- responses -----------------------------------------------------------------------------

    private static EndpointResponse json(int status, JsonWriter w) {
        return new EndpointResponse(status, "application/json; charset=utf-8", w.toString().getBytes(StandardCharsets.UTF_8),
                Map.of("Cache-Control", "no-store", "X-Content-Type-Options", "nosniff"));
    }

    static EndpointResponse error(int status, String message, @Nullable String parameter, @Nullable String value) {
        JsonWriter w = new JsonWriter().beginObject().name("error").value(message);
        if (parameter != null) {
            w.name("parameter").value(parameter).name("value").value(value);
        }
        return json(status, w.endObject());
    }

    private static EndpointResponse page(StaticFiles.File f) {
        return new EndpointResponse(200, f.contentType(), f.body(), Map.of(
                "Cache-Control", "no-store",
                "X-Content-Type-Options", "nosniff",
                "X-Frame-Options", "DENY",
                "Referrer-Policy", "no-referrer",
                // everything comes from the console itself: no CDN, no inline script, no framing
                "Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'none'; base-uri 'none'"));
    }

    @Override
    public void close() {
        summary.close();
    }
}
