package dev.opskit.console;

import com.fasterxml.jackson.databind.JsonNode;
import dev.opskit.core.testing.PostgresExtension;
import dev.opskit.core.testing.TestDatabase;
import dev.opskit.deadletter.DeadLetterStatus;
import dev.opskit.jobqueue.JobRequest;
import dev.opskit.jobqueue.JobState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The console's JSON API over real HTTP (HealthServer) against a real PostgreSQL. */
@ExtendWith(PostgresExtension.class)
class ConsoleApiTest {
    private final TestDatabase db;
    private ConsoleFixture f;

    ConsoleApiTest(TestDatabase db) {
        this.db = db;
    }

    @BeforeEach
    void start() {
        f = new ConsoleFixture(db, b -> b.token("ops", ConsoleFixture.TOKEN));
    }

    @AfterEach
    void stop() {
        f.close();
    }

    private long enqueue(String queue, String kind) {
        return f.queue.enqueue(JobRequest.builder(kind).queue(queue).payload("{\"to\":\"a@example.com\"}").build()).jobId();
    }

    private void finished(long id, String queue, String state) {
        db.execute("INSERT INTO opskit.finished_jobs (id, queue, kind, payload, priority, state, run_at, created_at, attempt,"
                + " max_attempts, finished_at, errors) VALUES (" + id + ", '" + queue + "', 'send-email', '{}', 0, '" + state
                + "', now(), now(), 1, 5, now(), '[]')");
    }

    @Test
    void theSummaryCountsEveryStatePerQueueWithTheOldestWaitAndThisMinutesThroughput() {
        long old = enqueue("emails", "send-email");
        enqueue("emails", "send-email");
        long running = enqueue("emails", "send-email");
        f.queue.enqueue(JobRequest.builder("send-email").queue("emails").payload("{}").delay(Duration.ofHours(1)).build());
        enqueue("ocr", "scan");
        db.execute("UPDATE opskit.jobs SET run_at = now() - interval '10 minutes' WHERE id = " + old);
        db.execute("UPDATE opskit.jobs SET state = 'running', attempt = 1, attempted_at = now(), lease_expires_at = now() + interval '1 minute' WHERE id = " + running);
        finished(900_001, "emails", "completed");
        finished(900_002, "emails", "completed");
        finished(900_003, "emails", "dead");
        finished(900_004, "ocr", "cancelled");
        f.letter("webhook:stripe", "invoice.paid", "502 from partner");

        ConsoleFixture.Answer a = f.get("/api/summary");

        assertThat(a.status()).isEqualTo(200);
        JsonNode emails = a.json().get("queues").get(0);
        assertThat(emails.get("queue").asText()).isEqualTo("emails");
        assertThat(emails.get("available").asLong()).isEqualTo(2);
        assertThat(emails.get("scheduled").asLong()).isEqualTo(1);
        assertThat(emails.get("running").asLong()).isEqualTo(1);
        assertThat(emails.get("completed").asLong()).isEqualTo(2);
        assertThat(emails.get("dead").asLong()).isEqualTo(1);
        assertThat(emails.get("oldestWaitingSeconds").asDouble()).isBetween(599.0, 700.0);
        JsonNode ocr = a.json().get("queues").get(1);
        assertThat(ocr.get("cancelled").asLong()).isEqualTo(1);
        JsonNode minutes = a.json().get("throughput");
        assertThat(minutes).hasSize(15);
        JsonNode now = minutes.get(14);
        assertThat(now.get("completed").asLong() + now.get("dead").asLong() + now.get("cancelled").asLong())
                .as("finished this minute (or, at a minute boundary, the previous)")
                .isEqualTo(4 - minutes.get(13).get("completed").asLong() - minutes.get(13).get("dead").asLong() - minutes.get(13).get("cancelled").asLong());
        assertThat(a.json().get("deadLetters").get(0).get("source").asText()).isEqualTo("webhook:stripe");
        assertThat(a.json().get("deadLetters").get(0).get("waiting").asLong()).isEqualTo(1);
        assertThat(Instant.parse(a.json().get("asOf").asText())).isBefore(Instant.now().plusSeconds(60));
    }

    @Test
    void theSummaryIsASnapshotServedAtOnceAndRefreshedInTheBackgroundWhenOlderThanTheMaxAge() throws Exception {
        f.close();
        f = new ConsoleFixture(db, b -> b.summaryMaxAge(Duration.ofMillis(300)));
        enqueue("emails", "send-email");
        JsonNode first = f.get("/api/summary").json();
        assertThat(first.get("queues").get(0).get("available").asLong()).isEqualTo(1);

        enqueue("emails", "send-email");
        JsonNode cached = f.get("/api/summary").json();
        assertThat(cached.get("asOf").asText()).as("served from the snapshot").isEqualTo(first.get("asOf").asText());
        assertThat(cached.get("queues").get(0).get("available").asLong()).isEqualTo(1);

        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        JsonNode now = cached;
        while (now.get("queues").get(0).get("available").asLong() != 2 && System.nanoTime() < deadline) {
            Thread.sleep(100);
            now = f.get("/api/summary").json();
        }
        assertThat(now.get("queues").get(0).get("available").asLong()).as("a later request sees the refresh").isEqualTo(2);
        assertThat(Instant.parse(now.get("asOf").asText())).isAfter(Instant.parse(first.get("asOf").asText()));
    }

    @Test
    void jobsAreFoundByKindStateAndIdNewestFirstInPages() {
        List<Long> emails = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            emails.add(enqueue("emails", "send-email"));
        }
        long scan = enqueue("ocr", "scan");
        finished(900_010, "emails", "dead");

        JsonNode page1 = f.get("/api/jobs?kind=send-email&state=available&limit=3").json();
        assertThat(page1.get("jobs")).extracting(j -> j.get("id").asLong()).containsExactly(emails.get(4), emails.get(3), emails.get(2));
        JsonNode page2 = f.get("/api/jobs?kind=send-email&state=available&limit=3&before=" + page1.get("nextBefore").asLong()).json();
        assertThat(page2.get("jobs")).extracting(j -> j.get("id").asLong()).containsExactly(emails.get(1), emails.get(0));
        assertThat(page2.get("nextBefore").isNull()).isTrue();

        assertThat(f.get("/api/jobs?state=dead").json().get("jobs")).extracting(j -> j.get("id").asLong()).containsExactly(900_010L);
        assertThat(f.get("/api/jobs").json().get("jobs").get(0).get("id").asLong()).as("finished ids are larger here").isEqualTo(900_010L);
        assertThat(f.get("/api/jobs?id=" + scan).json().get("jobs")).extracting(j -> j.get("kind").asText()).containsExactly("scan");
        assertThat(f.get("/api/jobs?id=777777").json().get("jobs")).isEmpty();
        assertThat(f.get("/api/jobs?queue=ocr").json().get("jobs")).hasSize(1);
    }

    @Test
    void aJobsDetailShowsItsPayloadAndErrorHistory() {
        long id = enqueue("emails", "send-email");
        db.execute("UPDATE opskit.jobs SET attempt = 2, errors = '[{\"attempt\":1,\"at\":\"2026-12-01T10:00:00Z\",\"type\":\"java.io.IOException\","
                + "\"message\":\"smtp down\",\"reason\":\"retry\"},{\"attempt\":2,\"at\":\"2026-12-01T10:01:00Z\",\"type\":\"java.io.IOException\","
                + "\"message\":\"smtp still down\",\"reason\":\"retry\"}]' WHERE id = " + id);

        JsonNode j = f.get("/api/job?id=" + id).json();

        assertThat(j.get("state").asText()).isEqualTo("available");
        assertThat(j.get("cancellable").asBoolean()).isTrue();
        assertThat(j.get("payload").get("to").asText()).isEqualTo("a@example.com");
        assertThat(j.get("errors")).extracting(e -> e.get("message").asText()).containsExactly("smtp down", "smtp still down");
        assertThat(f.get("/api/jobs?id=" + id).json().get("jobs").get(0).get("lastError").asText()).isEqualTo("smtp still down");
        assertThat(f.get("/api/jobs?id=" + id).json().get("jobs").get(0).get("errorCount").asInt()).isEqualTo(2);
        assertThat(f.get("/api/jobs?kind=send-email").json().get("jobs").get(0).get("lastError").asText()).isEqualTo("smtp still down");
        assertThat(f.get("/api/job?id=424242").status()).isEqualTo(404);
    }

    @Test
    void aDeadJobsDetailNamesTheDeadLetterThatRetriesIt() {
        finished(900_020, "emails", "dead");
        long letter = f.queue.deadLetters().add(dev.opskit.deadletter.NewDeadLetter.builder("jobqueue:emails", "send-email")
                .payload("{}").header("jobId", "900020")
                .reason(dev.opskit.deadletter.DeadLetterReason.MAX_ATTEMPTS, "5 of 5").build());
        f.letter("jobqueue:emails", "send-email", "another job's letter");

        assertThat(f.get("/api/job?id=900020").json().get("deadLetter").asLong()).isEqualTo(letter);
        assertThat(f.get("/api/job?id=" + enqueue("emails", "send-email")).json().get("deadLetter").isNull()).isTrue();
    }

    @Test
    void cancellingAJobNeedsTheTokenHeaderAndASameOriginRequest() {
        long id = enqueue("emails", "send-email");

        ConsoleFixture.Answer noToken = f.post("/api/job/cancel?id=" + id);
        assertThat(noToken.status()).isEqualTo(401);
        assertThat(noToken.json().get("error").asText()).contains("X-Opskit-Token");
        ConsoleFixture.Answer wrong = f.post("/api/job/cancel?id=" + id, ConsoleEndpoint.TOKEN_HEADER, "not-the-token-0123456789");
        assertThat(wrong.status()).isEqualTo(403);
        assertThat(wrong.json().get("error").asText()).contains("not accepted");
        ConsoleFixture.Answer crossSite = f.post("/api/job/cancel?id=" + id, ConsoleEndpoint.TOKEN_HEADER, ConsoleFixture.TOKEN,
                "Origin", "https://evil.example");
        assertThat(crossSite.status()).isEqualTo(403);
        assertThat(crossSite.json().get("error").asText()).contains("cross-origin").contains("https://evil.example");
        ConsoleFixture.Answer fetchMeta = f.post("/api/job/cancel?id=" + id, ConsoleEndpoint.TOKEN_HEADER, ConsoleFixture.TOKEN,
                "Sec-Fetch-Site", "cross-site");
        assertThat(fetchMeta.status()).isEqualTo(403);
        ConsoleFixture.Answer viaGet = f.get("/api/job/cancel?id=" + id);
        assertThat(viaGet.status()).isEqualTo(405);
        assertThat(viaGet.headers().get("allow")).containsExactly("POST");
        assertThat(f.queue.get(id).orElseThrow().state()).as("nothing refused changed anything").isEqualTo(JobState.AVAILABLE);

        ConsoleFixture.Answer ok = f.post("/api/job/cancel?id=" + id, ConsoleEndpoint.TOKEN_HEADER, ConsoleFixture.TOKEN,
                "Origin", "http://127.0.0.1:" + f.server.port());
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.json().get("cancelled").asBoolean()).isTrue();
        assertThat(f.queue.get(id).orElseThrow().state()).isEqualTo(JobState.CANCELLED);
        ConsoleFixture.Answer again = f.act("/api/job/cancel?id=" + id);
        assertThat(again.json().get("cancelled").asBoolean()).isFalse();
        assertThat(again.json().get("result").asText()).isEqualTo("already_finished");
        assertThat(again.json().get("detail").asText()).contains("already finished").contains("only a waiting or running job");
        assertThat(f.act("/api/job/cancel?id=424242").json().get("detail").asText()).contains("no job 424242");
    }

    @Test
    void aRunningJobIsCancellableAndCancellingItAsksItsWorkerToStop() {
        long id = enqueue("emails", "send-email");
        db.execute("UPDATE opskit.jobs SET state = 'running', attempt = 1, attempted_at = now(), worker_id = 'w-1',"
                + " lease_expires_at = now() + interval '1 minute' WHERE id = " + id);

        assertThat(f.get("/api/job?id=" + id).json().get("cancellable").asBoolean()).isTrue();
        ConsoleFixture.Answer ok = f.act("/api/job/cancel?id=" + id);

        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.json().get("cancelled").asBoolean()).isTrue();
        assertThat(ok.json().get("result").asText()).isEqualTo("cancel_requested");
        assertThat(ok.json().get("detail").asText()).contains("asked to stop");
        assertThat(f.queue.get(id).orElseThrow().state()).as("it runs on until its worker sees the request").isEqualTo(JobState.RUNNING);
        assertThat(cancelRequested(id)).isTrue();
        assertThat(f.get("/api/job?id=" + finishedId()).json().get("cancellable").asBoolean()).isFalse();
    }

    private boolean cancelRequested(long id) {
        try (java.sql.Connection c = db.dataSource().getConnection();
             java.sql.ResultSet r = c.createStatement().executeQuery("SELECT cancel_requested_at IS NOT NULL FROM opskit.jobs WHERE id = " + id)) {
            return r.next() && r.getBoolean(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private long finishedId() {
        finished(900_030, "emails", "completed");
        return 900_030;
    }

    @Test
    void withoutATokenTheConsoleIsReadOnlyAndSaysSo() {
        f.close();
        f = new ConsoleFixture(db, b -> b.token("ops", System.getenv("OPSKIT_CONSOLE_TOKEN_THAT_IS_NOT_SET")));
        long id = enqueue("emails", "send-email");
        long letter = f.letter("webhook:stripe", "invoice.paid", "boom");

        assertThat(f.get("/api/config").json().get("readOnly").asBoolean()).isTrue();
        for (String action : List.of("/api/job/cancel?id=" + id, "/api/deadletters/replay?id=" + letter,
                "/api/deadletters/replay-all/start", "/api/deadletters/cleanup")) {
            ConsoleFixture.Answer a = f.post(action, ConsoleEndpoint.TOKEN_HEADER, ConsoleFixture.TOKEN);
            assertThat(a.status()).as(action).isEqualTo(403);
            assertThat(a.json().get("error").asText()).as(action).contains("read-only");
        }
        assertThat(f.get("/api/jobs?id=" + id).status()).as("reading still works").isEqualTo(200);
        assertThat(f.queue.get(id).orElseThrow().state()).isEqualTo(JobState.AVAILABLE);
        assertThat(f.queue.deadLetters().get(letter).orElseThrow().status()).isEqualTo(DeadLetterStatus.DEAD);
    }

    @ParameterizedTest
    @CsvSource({
            "/api/jobs?state=bogus, state, bogus",
            "/api/jobs?id=abc, id, abc",
            "/api/jobs?limit=0, limit, 0",
            "/api/jobs?limit=ten, limit, ten",
            "/api/jobs?limit=100000, limit, 100000",
            "/api/job?id=-3, id, -3",
            "/api/deadletters?reason=tired, reason, tired",
            "/api/deadletters?status=gone, status, gone",
            "/api/deadletters?source=a*b, source, a*b",
            "/api/deadletters?after=x, after, x",
            "/api/deadletters/replay-all?run=first, run, first",
    })
    void badInputAnswers400NamingTheParameterAndTheValue(String path, String parameter, String value) {
        ConsoleFixture.Answer a = f.get(path.replace("*", "%2A"));
        assertThat(a.status()).isEqualTo(400);
        assertThat(a.json().get("parameter").asText()).isEqualTo(parameter);
        assertThat(a.json().get("value").asText()).isEqualTo(value);
        assertThat(a.json().get("error").asText()).contains(value);
    }

    @Test
    void badInputOfAnActionAnswers400Too() {
        assertThat(f.act("/api/deadletters/replay?id=1,x").json().get("value").asText()).isEqualTo("x");
        assertThat(f.act("/api/deadletters/replay").json().get("parameter").asText()).isEqualTo("id");
        assertThat(f.act("/api/deadletters/cleanup?olderThan=soon").json().get("parameter").asText()).isEqualTo("olderThan");
        assertThat(f.act("/api/deadletters/replay-all/start?dryRun=maybe").json().get("parameter").asText()).isEqualTo("dryRun");
        ConsoleFixture.Answer name = f.post("/api/job/cancel?id=1", ConsoleEndpoint.TOKEN_HEADER, ConsoleFixture.TOKEN,
                ConsoleEndpoint.OPERATOR_HEADER, "<script>");
        assertThat(name.status()).isEqualTo(400);
        assertThat(name.json().get("parameter").asText()).isEqualTo(ConsoleEndpoint.OPERATOR_HEADER);
    }

    @Test
    void deadLettersAreFilteredShownReplayedAndCleanedUp() {
        long a = f.letter("webhook:stripe", "invoice.paid", "502 from partner");
        long b = f.letter("webhook:stripe", "invoice.failed", "timeout");
        long c = f.letter("webhook:github", "push", "410 gone");
        long noTarget = f.letter("mail:bounce", "bounce", "no target for me");

        JsonNode stripe = f.get("/api/deadletters?source=webhook:stripe").json();
        assertThat(stripe.get("total").asLong()).isEqualTo(2);
        assertThat(stripe.get("letters")).extracting(l -> l.get("id").asLong()).containsExactly(a, b);
        assertThat(f.get("/api/deadletters?source=webhook:*&kind=push").json().get("letters")).extracting(l -> l.get("id").asLong()).containsExactly(c);
        JsonNode shown = f.get("/api/deadletter?id=" + a).json();
        assertThat(shown.get("message").asText()).isEqualTo("502 from partner");
        assertThat(shown.get("payload").get("order").asInt()).isEqualTo(42);
        assertThat(shown.get("hasTarget").asBoolean()).isTrue();
        assertThat(f.get("/api/deadletter?id=" + noTarget).json().get("hasTarget").asBoolean()).isFalse();

        JsonNode one = f.act("/api/deadletters/replay?id=" + a).json();
        assertThat(one.get("results").get(0).get("outcome").asText()).isEqualTo("replayed");
        assertThat(f.redelivered).extracting(l -> l.id()).containsExactly(a);
        assertThat(f.get("/api/deadletters?source=webhook:stripe").json().get("letters")).extracting(l -> l.get("id").asLong()).containsExactly(b);

        JsonNode mixed = f.act("/api/deadletters/replay?id=" + b + "," + noTarget).json();
        assertThat(mixed.get("results")).extracting(r -> r.get("outcome").asText()).containsExactly("replayed", "no_target");

        JsonNode replayed = f.get("/api/deadletters?status=replayed").json();
        assertThat(replayed.get("letters")).extracting(l -> l.get("id").asLong()).containsExactly(a, b);
        assertThat(f.act("/api/deadletters/cleanup").json().get("removed").asLong()).isEqualTo(2);
        assertThat(f.queue.deadLetters().get(a)).isEmpty();
        assertThat(f.get("/api/deadletter?id=" + a).status()).isEqualTo(404);
    }

    @Test
    void replayAllDryRunChangesNothingThenTheRealRunReportsProgressToTheEnd() throws Exception {
        for (int i = 0; i < 7; i++) {
            f.letter("webhook:stripe", "invoice.paid", "502 #" + i);
        }
        f.letter("webhook:github", "push", "not in the filter");

        ConsoleFixture.Answer dry = f.act("/api/deadletters/replay-all/start?source=webhook:stripe&dryRun=true");
        assertThat(dry.status()).isEqualTo(200);
        assertThat(dry.json().get("state").asText()).isEqualTo("finished");
        assertThat(dry.json().get("total").asLong()).isEqualTo(7);
        assertThat(dry.json().get("done").asLong()).isEqualTo(7);
        assertThat(f.redelivered).isEmpty();

        ConsoleFixture.Answer started = f.act("/api/deadletters/replay-all/start?source=webhook:stripe&dryRun=false");
        assertThat(started.status()).isEqualTo(202);
        long run = started.json().get("run").asLong();
        JsonNode progress = started.json();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (progress.get("state").asText().equals("running") && System.nanoTime() < deadline) {
            Thread.sleep(50);
            progress = f.get("/api/deadletters/replay-all?run=" + run).json();
        }
        assertThat(progress.get("state").asText()).isEqualTo("finished");
        assertThat(progress.get("done").asLong()).isEqualTo(7);
        assertThat(progress.get("startedBy").asText()).isEqualTo("alice (token 'ops')");
        assertThat(f.redelivered).hasSize(7).allMatch(l -> l.source().equals("webhook:stripe"));
        assertThat(f.get("/api/deadletters?source=webhook:*").json().get("total").asLong()).isEqualTo(1);
        assertThat(f.get("/api/deadletters/replay-all").json().get("runs")).hasSize(2);
        assertThat(f.get("/api/deadletters/replay-all?run=99").status()).isEqualTo(404);
    }

    @Test
    void actionsAreCountedByConsoleMetrics() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new ConsoleMetrics(f.console).bindTo(registry);
        long id = enqueue("emails", "send-email");
        f.post("/api/job/cancel?id=" + id);
        f.act("/api/job/cancel?id=" + id);

        assertThat(registry.get(ConsoleMetrics.ACTIONS).tag("action", "cancel-job").tag("outcome", "refused").functionCounter().count()).isEqualTo(1);
        assertThat(registry.get(ConsoleMetrics.ACTIONS).tag("action", "cancel-job").tag("outcome", "done").functionCounter().count()).isEqualTo(1);
        assertThat(registry.get(ConsoleMetrics.ACTIONS).tag("action", "replay").tag("outcome", "done").functionCounter().count()).isZero();
    }

    @Test
    void thePageAndItsFilesComeFromTheJarWithAStrictContentSecurityPolicy() {
        ConsoleFixture.Answer page = f.get("");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.headers().get("content-type").get(0)).startsWith("text/html");
        assertThat(page.body()).contains("data-base=\"/console\"").contains("/console/console.js").doesNotContain("http://").doesNotContain("https://");
        assertThat(page.headers().get("content-security-policy").get(0)).contains("default-src 'self'").contains("frame-ancestors 'none'");
        assertThat(f.get("/").status()).isEqualTo(200);
        assertThat(f.get("/console.js").body()).contains("textContent");
        assertThat(f.get("/console.css").headers().get("content-type").get(0)).startsWith("text/css");
        assertThat(f.get("/api/nothing").status()).isEqualTo(404);
    }

    @Test
    void aDisabledConsoleAnswersNothingAndOffersNoRoutes() {
        ConsoleEndpoint off = ConsoleEndpoint.builder(f.queue).enabled(false).build();
        assertThat(off.routes()).isEmpty();
        assertThat(off.handle(dev.opskit.health.EndpointRequest.get("/console/api/summary")).status()).isEqualTo(404);
        assertThat(f.console.handle(dev.opskit.health.EndpointRequest.get("/elsewhere")).status()).isEqualTo(404);
    }

    @Test
    void theReadmeExampleServesTheConsoleNextToTheProbes() throws Exception {
        dev.opskit.health.HealthRegistry health = dev.opskit.health.HealthRegistry.builder().deadlockCheck(false).build();
        ConsoleEndpoint console = ConsoleEndpoint.builder(f.queue)
                .token("ops", System.getenv("OPSKIT_CONSOLE_TOKEN"))
                .build();
        new ConsoleMetrics(console).bindTo(new SimpleMeterRegistry());
        dev.opskit.health.HealthServer.Builder server = dev.opskit.health.HealthServer.builder(dev.opskit.health.HealthEndpoint.of(health))
                .bindAddress("127.0.0.1").port(0);
        console.routes().forEach(server::route);
        try (dev.opskit.health.HealthServer started = server.build().start()) {
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + started.port();
            assertThat(http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/console/")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            assertThat(http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/health/live")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        } finally {
            console.close();
            health.close();
        }
    }

    @Test
    void theBuilderRefusesWeakTokensAndBadPathsWithoutShowingTheToken() {
        assertThatThrownBy(() -> ConsoleEndpoint.builder(f.queue).token("ops", "short-secret"))
                .hasMessageContaining("at least 16").hasMessageNotContaining("short-secret");
        assertThatThrownBy(() -> ConsoleEndpoint.builder(f.queue).token("ops", "with whitespace inside it"))
                .hasMessageContaining("whitespace").hasMessageNotContaining("inside");
        assertThatThrownBy(() -> ConsoleEndpoint.builder(f.queue).basePath("console/")).hasMessageContaining("'console/'");
        assertThatThrownBy(() -> ConsoleEndpoint.builder(f.queue).summaryMaxAge(Duration.ofHours(1))).hasMessageContaining("PT1H");
        assertThatThrownBy(() -> ConsoleEndpoint.builder(f.queue).allowedOrigin("https://x.example/path")).hasMessageContaining("/path");
    }
}
