package dev.opskit.deadletter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opskit.core.testing.PostgresExtension;
import dev.opskit.core.testing.TestDatabase;
import java.io.File;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Replays that race each other, and a replay-all process killed mid-run. */
@ExtendWith(PostgresExtension.class)
class ReplayConcurrencyTest {
    private final TestDatabase db;

    ReplayConcurrencyTest(TestDatabase db) {
        this.db = db;
    }

    @Test
    void twoReplayersRacingOverTheSameLettersHandEachOverExactlyOnce() throws Exception {
        String schema = "race";
        // Two stores, as two processes would have; each with the same transactional target.
        PostgresDeadLetterStore a = PostgresDeadLetterStore.builder(db.dataSource()).schema(schema).build();
        PostgresDeadLetterStore b = PostgresDeadLetterStore.builder(db.dataSource()).schema(schema).build();
        a.installSchema();
        try (Connection c = db.dataSource().getConnection()) {
            TableReplayTargetProvider.createTable(c, schema);
        }
        a.registerReplayTarget("handed:*", TableReplayTargetProvider.target(schema));
        b.registerReplayTarget("handed:*", TableReplayTargetProvider.target(schema));
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            ids.add(a.add(NewDeadLetter.builder("handed:race", "x").build()));
        }

        ExecutorService pool = Executors.newFixedThreadPool(3);
        CountDownLatch go = new CountDownLatch(1);
        try {
            // Different filters over the same letters, so both runs start; plus one-by-one replays.
            Future<ReplayProgress> runA = pool.submit(() -> {
                go.await();
                return a.replayAll(ReplayAllRequest.builder().source("handed:race").batchSize(20).build());
            });
            Future<ReplayProgress> runB = pool.submit(() -> {
                go.await();
                return b.replayAll(ReplayAllRequest.builder().source("handed:*").batchSize(15).build());
            });
            Future<Long> singles = pool.submit(() -> {
                go.await();
                long replayed = 0;
                for (int i = ids.size() - 1; i >= 0; i--) {
                    if (b.replay(ids.get(i)).outcome() == ReplayOutcome.REPLAYED) {
                        replayed++;
                    }
                }
                return replayed;
            });
            go.countDown();
            ReplayProgress pa = runA.get(120, TimeUnit.SECONDS);
            ReplayProgress pb = runB.get(120, TimeUnit.SECONDS);
            long single = singles.get(120, TimeUnit.SECONDS);

            assertThat(pa.state()).isEqualTo(ReplayProgress.State.FINISHED);
            assertThat(pb.state()).isEqualTo(ReplayProgress.State.FINISHED);
            assertThat(pa.done() + pb.done() + single).isEqualTo(600);
        } finally {
            pool.shutdownNow();
            a.close();
            b.close();
        }
        assertThat(query("SELECT count(*) FROM race.handed")).isEqualTo(600);
        assertThat(query("SELECT count(DISTINCT letter_id) FROM race.handed")).isEqualTo(600);
        assertThat(query("SELECT count(*) FROM race.dead_letters WHERE status = 'replayed' AND replay_count = 1")).isEqualTo(600);
    }

    @Test
    void aReplayAllProcessKilledMidRunAndRunAgainLosesNoLetterAndHandsNoneOverTwice() throws Exception {
        String schema = "crash";
        int letters = 3000;
        PostgresDeadLetterStore store = PostgresDeadLetterStore.builder(db.dataSource()).schema(schema).build();
        store.installSchema();
        try (Connection c = db.dataSource().getConnection()) {
            TableReplayTargetProvider.createTable(c, schema);
            try (Statement st = c.createStatement()) {
                st.execute("INSERT INTO crash.dead_letters (source, kind, payload, reason) "
                        + "SELECT 'handed:crash', 'x', '{}'::jsonb, 'max_attempts' FROM generate_series(1, " + letters + ")");
            }
        }
        Map<String, String> env = Map.of("DATABASE_URL", db.jdbcUrl());
        File out = File.createTempFile("crash", ".out");
        File err = File.createTempFile("crash", ".err");
        Process first = null;
        try {
            first = ChildJvm.start(env, out.toPath(), err.toPath(),
                    "--schema", schema, "replay", "--all", "--source", "handed:*", "--rate", "300", "--batch", "10");
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (query("SELECT count(*) FROM crash.handed") < 100 && first.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            first.destroyForcibly(); // SIGKILL: no shutdown hook, no cleanup
            assertThat(first.waitFor(60, TimeUnit.SECONDS)).isTrue();
            long handedBeforeKill = query("SELECT count(*) FROM crash.handed");
            assertThat(handedBeforeKill).as("killed mid-run").isBetween(100L, (long) letters - 1);
            assertThat(query("SELECT count(*) FROM crash.dead_letter_replay_runs WHERE state = 'running'")).isEqualTo(1);

            // Run the same command again (the dead process's lock may take a moment to be released).
            ChildJvm.Result again;
            long until = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            do {
                again = ChildJvm.run(env, "--schema", schema, "replay", "--all", "--source", "handed:*", "--json");
            } while (again.exitCode() != 0 && again.err().contains("is running in") && System.nanoTime() < until);

            assertThat(again.exitCode()).as(again.err()).isZero();
            assertThat(again.err()).contains("resuming replay-all run");
        } finally {
            if (first != null) {
                first.destroyForcibly(); // never leave the child running when an assertion above failed
            }
            out.delete();
            err.delete();
            store.close();
        }
        assertThat(query("SELECT count(*) FROM crash.handed")).isEqualTo(letters);
        assertThat(query("SELECT count(DISTINCT letter_id) FROM crash.handed")).isEqualTo(letters);
        assertThat(query("SELECT count(*) FROM crash.dead_letters WHERE status = 'replayed' AND replay_count = 1")).isEqualTo(letters);
        assertThat(query("SELECT count(*) FROM crash.dead_letter_replay_runs")).isEqualTo(1);
        assertThat(query("SELECT done FROM crash.dead_letter_replay_runs WHERE state = 'finished'")).isEqualTo(letters);
    }

    private long query(String sql) throws Exception {
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
