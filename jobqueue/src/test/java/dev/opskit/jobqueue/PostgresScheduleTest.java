package dev.opskit.jobqueue;

import dev.opskit.core.testing.TestDatabase;
import dev.opskit.jobqueue.cli.JobQueueCli;
import dev.opskit.jobqueue.testing.ManualClock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Recurring jobs on PostgreSQL beyond the contract: racing processes, metrics, workers, the command line. */
class PostgresScheduleTest extends PostgresQueueTestBase {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ManualClock clock = new ManualClock();

    PostgresScheduleTest(TestDatabase db) {
        super(db);
        new JobQueueMetrics(queue).bindTo(registry);
    }

    @Override // schedules too; these tests make no dead letters
    @BeforeEach
    void empty() {
        db.execute("TRUNCATE opskit.jobs, opskit.finished_jobs, opskit.schedules");
    }

    private ScheduleRunner runner(String id, List<Schedule> schedules) {
        return new ScheduleRunner(id, db.dataSource(), queue.store(), schedules, clock, queue.metrics(), Duration.ofSeconds(1));
    }

    private double counter(String name, String schedule) {
        Counter c = registry.find(name).tag("schedule", schedule).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void eightProcessesRacingForTheSameDueTimesEnqueueEachExactlyOnce() throws Exception {
        List<Schedule> schedules = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            schedules.add(Schedule.every("s" + i, Duration.ofSeconds(1 + i % 3), JobRequest.of("tick", "{}")).catchUp(CatchUp.ALL));
        }
        int processes = 8;
        int rounds = 30;
        List<ScheduleRunner> runners = new ArrayList<>();
        for (int p = 0; p < processes; p++) {
            runners.add(runner("p" + p, schedules));
        }
        runners.get(0).tick(); // declared at 00:00:00
        CyclicBarrier start = new CyclicBarrier(processes, () -> clock.advance(Duration.ofSeconds(1)));
        ExecutorService pool = Executors.newFixedThreadPool(processes);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (ScheduleRunner r : runners) {
                results.add(pool.submit(() -> {
                    int n = 0;
                    for (int round = 0; round < rounds; round++) {
                        start.await(30, TimeUnit.SECONDS); // all evaluate the same instant at once
                        n += r.tick();
                    }
                    return n;
                }));
            }
            int inserted = 0;
            for (Future<Integer> f : results) {
                inserted += f.get(120, TimeUnit.SECONDS);
            }
            long expected = 0;
            for (Schedule s : schedules) {
                expected += DueCount.between(s, Instant.parse("2026-01-01T00:00:00Z"), clock.instant());
            }
            double won = 0;
            for (Schedule s : schedules) {
                won += counter(JobQueueMetrics.SCHEDULE_ENQUEUED, s.name());
            }
            assertThat(expected).as("17 schedules every 1 s, 17 every 2 s, 16 every 3 s, for 30 s").isEqualTo(17 * 30 + 17 * 15 + 16 * 10);
            assertThat(count("SELECT count(*) FROM opskit.jobs")).isEqualTo(expected);
            assertThat(count("SELECT count(DISTINCT unique_key) FROM opskit.jobs")).isEqualTo(expected);
            assertThat(inserted).isEqualTo((int) expected);
            // the counter counts the due times each process won the compare-and-set for, before the
            // unique key could hide a second insert: a broken compare-and-set would exceed the jobs
            assertThat(won).isEqualTo((double) expected);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aRowHeldByAnotherWorkersTransactionIsSkippedNotWaitedForAndTakenOverWhenItRollsBack() throws Exception {
        Schedule s = Schedule.every("held", Duration.ofMinutes(1), JobRequest.of("k", "{}"));
        runner("a", List.of(s)).tick();
        clock.advance(Duration.ofMinutes(1));
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Connection holder = db.dataSource().getConnection()) {
            holder.setAutoCommit(false);
            try (Statement st = holder.createStatement()) {
                st.execute("SELECT * FROM opskit.schedules WHERE name = 'held' FOR UPDATE"); // a stalled enqueuer
            }
            // a fresh runner declares (heartbeat) and evaluates: neither may wait for the lock
            Future<Integer> blocked = pool.submit(() -> runner("b", List.of(s)).tick());
            assertThat(blocked.get(10, TimeUnit.SECONDS)).isZero();
            assertThat(count("SELECT count(*) FROM opskit.jobs")).isZero();
            holder.rollback();
        } finally {
            pool.shutdownNow();
        }
        assertThat(runner("b", List.of(s)).tick()).as("the due time is still open").isEqualTo(1);
    }

    @Test
    void catchUpOnceCountsTheSkippedDueTimesAsMissed() throws Exception {
        Schedule s = Schedule.every("poll", Duration.ofMinutes(1), JobRequest.of("poll", "{}"));
        runner("a", List.of(s)).tick();
        clock.advance(Duration.ofMinutes(10).plusSeconds(30));

        assertThat(runner("a", List.of(s)).tick()).isEqualTo(1);

        assertThat(counter(JobQueueMetrics.SCHEDULE_ENQUEUED, "poll")).isEqualTo(1.0);
        assertThat(counter(JobQueueMetrics.SCHEDULE_MISSED, "poll")).isEqualTo(9.0);
        assertThat(registry.find(JobQueueMetrics.ENQUEUED).tag("queue", "default").counter().count()).isEqualTo(1.0);
    }

    @Test
    void workersEnqueueAndRunAScheduleOnTheRealClock() throws Exception {
        List<String> keys = new CopyOnWriteArrayList<>();
        Workers w = Workers.builder(queue)
                .schedule(Schedule.cron("every-second", "* * * * * *", ZoneId.of("Europe/Berlin"), JobRequest.of("sec", "{}")))
                .handler("sec", ctx -> keys.add(ctx.job().uniqueKey()))
                .pollInterval(Duration.ofMillis(50))
                .start();
        try {
            WorkerProcessTest.await("3 scheduled runs", () -> keys.size() >= 3);
        } finally {
            assertThat(w.shutdown(Duration.ofSeconds(10)).clean()).isTrue();
        }
        assertThat(keys).doesNotHaveDuplicates().allMatch(k -> k.startsWith("schedule:every-second@"));
        assertThat(queue.schedules()).singleElement().satisfies(i -> {
            assertThat(i.declared()).isTrue();
            assertThat(i.spec()).isEqualTo("cron * * * * * * Europe/Berlin");
            assertThat(i.lastDue()).isNotNull();
        });
        // a stopped worker enqueues nothing more
        long after = count("SELECT count(*) FROM opskit.jobs") + count("SELECT count(*) FROM opskit.finished_jobs");
        Thread.sleep(1500);
        assertThat(count("SELECT count(*) FROM opskit.jobs") + count("SELECT count(*) FROM opskit.finished_jobs")).isEqualTo(after);
    }

    @Test
    void theCommandLineListsSchedulesAsTextAndJson() throws Exception {
        clock.set(Instant.now()); // the command line judges "declared" on the real clock
        Schedule nightly = Schedule.cron("nightly-report", "0 3 * * *", ZoneId.of("Europe/Berlin"), JobRequest.of("report", "{}"));
        Schedule poll = Schedule.every("poll", Duration.ofMinutes(5), JobRequest.builder("poll").queue("emails").build());
        runner("a", List.of(nightly, poll)).tick();
        String nightlyNext = nightly.nextAfter(clock.instant()).toString();
        String pollNext = poll.nextAfter(clock.instant()).toString();

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int rc = new JobQueueCli().run(List.of("--url", db.jdbcUrl(), "schedules"), Map.of(),
                new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(rc).as(text).isZero();
        assertThat(text.lines().toList()).hasSize(3);
        assertThat(text).contains("NAME", "NEXT DUE", "nightly-report", "cron 0 3 * * * Europe/Berlin", nightlyNext,
                "poll", "every PT5M", "emails", pollNext);
        assertThat(text.lines().skip(1)).allMatch(l -> l.contains(" yes "));

        out.reset();
        rc = new JobQueueCli().run(List.of("--url", db.jdbcUrl(), "--json", "schedules"), Map.of(),
                new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        assertThat(rc).isZero();
        com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
        assertThat(json.get("schedules")).hasSize(2);
        com.fasterxml.jackson.databind.JsonNode first = json.get("schedules").get(0);
        assertThat(first.get("name").asText()).isEqualTo("nightly-report");
        assertThat(first.get("next_due").asText()).isEqualTo(nightlyNext);
        assertThat(first.get("last_due").isNull()).isTrue();
        assertThat(first.get("declared").asBoolean()).isTrue();
        assertThat(first.get("spec").asText()).isEqualTo("cron 0 3 * * * Europe/Berlin");

        ByteArrayOutputStream err = new ByteArrayOutputStream();
        rc = new JobQueueCli().run(List.of("--url", db.jdbcUrl(), "schedules", "extra"), Map.of(),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(rc).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("schedules takes no arguments");
    }

    @Test
    void aDeclarationUpdatesTheSpecAndForgetsRowsNobodyDeclaredForSevenDays() throws Exception {
        runner("a", List.of(Schedule.every("old", Duration.ofMinutes(1), JobRequest.of("k", "{}")))).tick();
        clock.advance(Schedule.FORGET_AFTER.plusMinutes(1));
        runner("b", List.of(Schedule.every("new", Duration.ofHours(1), JobRequest.of("k", "{}")))).tick();
        assertThat(queue.schedules(clock.instant())).extracting(ScheduleInfo::name).containsExactly("new");

        runner("c", List.of(Schedule.cron("new", "@daily", JobRequest.of("k", "{}")))).tick();
        assertThat(queue.schedules(clock.instant())).singleElement().extracting(ScheduleInfo::spec).isEqualTo("cron @daily UTC");
    }

    /** Due times in (from, to], counted one by one. */
    static final class DueCount {
        static long between(Schedule s, Instant from, Instant to) {
            long n = 0;
            Instant t = from;
            while ((t = s.nextAfter(t)) != null && !t.isAfter(to)) {
                n++;
            }
            return n;
        }
    }
}
