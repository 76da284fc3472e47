package dev.opskit.deadletter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opskit.core.testing.PostgresExtension;
import dev.opskit.core.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class PostgresDeadLetterStoreTest extends DeadLetterStoreContract {
    private static final AtomicInteger SCHEMAS = new AtomicInteger();
    private final TestDatabase db;
    private String schema;

    PostgresDeadLetterStoreTest(TestDatabase db) {
        this.db = db;
    }

    /** Each store gets a schema of its own, so every test starts empty. */
    @Override
    protected DeadLetterStore newStore(SimpleMeterRegistry registry) {
        schema = "dl" + SCHEMAS.incrementAndGet();
        PostgresDeadLetterStore s = PostgresDeadLetterStore.builder(db.dataSource()).schema(schema).purgeBatchSize(10).build();
        s.installSchema();
        new DeadLetterMetrics(s).bindTo(registry);
        return s;
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Test
    void aLetterAddedInTheCallersTransactionExistsOnlyIfTheCallerCommits() throws Exception {
        long kept;
        long lost;
        try (Connection c = db.dataSource().getConnection()) {
            c.setAutoCommit(false);
            kept = store.add(c, letter("jobqueue:emails").build());
            c.commit();
            lost = store.add(c, letter("jobqueue:emails").build());
            assertThat(store.get(lost)).as("not visible before the caller commits").isEmpty();
            c.rollback();
        }
        assertThat(store.get(kept)).isPresent();
        assertThat(store.get(lost)).isEmpty();
    }

    @Test
    void upgradingFromVersion1MovesTheJobQueuesErrorHistoryHeaderIntoItsOwnColumnAndLeavesOtherHeaders() throws Exception {
        String old = "dlupgrade" + SCHEMAS.incrementAndGet();
        dev.opskit.core.schema.SchemaInstaller installer = dev.opskit.core.schema.SchemaInstaller.forSchema(db.dataSource(), old);
        installer.install(dev.opskit.core.schema.SchemaModule.of("deadletter", PostgresDeadLetterStore.class, "V1__create_dead_letters.sql"));
        db.execute("INSERT INTO " + old + ".dead_letters (source, kind, payload, headers, reason) VALUES "
                + "('jobqueue:emails', 'send', '{}', jsonb_build_object('jobId', '7', 'errorHistory', '[{\"attempt\":1,\"message\":\"smtp 451\"}]'), 'max_attempts'),"
                + "('webhook:stripe', 'deliver', '{}', '{\"errorHistory\":\"not json\"}', 'max_attempts')");

        installer.install(PostgresDeadLetterStore.SCHEMA);

        try (PostgresDeadLetterStore upgraded = PostgresDeadLetterStore.builder(db.dataSource()).schema(old).build()) {
            List<DeadLetter> letters = upgraded.list(DeadLetterQuery.waiting()).letters();
            DeadLetter job = letters.stream().filter(l -> l.source().equals("jobqueue:emails")).findFirst().orElseThrow();
            assertThat(job.errorHistory().replace(" ", "")).isEqualTo("[{\"attempt\":1,\"message\":\"smtp451\"}]");
            assertThat(job.headers()).containsExactly(java.util.Map.entry("jobId", "7"));
            DeadLetter other = letters.stream().filter(l -> l.source().equals("webhook:stripe")).findFirst().orElseThrow();
            assertThat(other.headers()).containsEntry("errorHistory", "not json");
            assertThat(other.errorHistory()).isEqualTo("[]");
        }
    }

    @Test
    void anErrorHistoryThatIsNoJsonArrayIsRefusedNamingIt() {
        assertThatThrownBy(() -> NewDeadLetter.builder("s", "k").errorHistory("{\"attempt\":1}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("errorHistory must be a JSON array");
        assertThatThrownBy(() -> NewDeadLetter.builder("s", "k").errorHistory("[1,"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("errorHistory must be a JSON array");
    }

    @Test
    void headersWithAwkwardCharactersSurviveTheJsonbColumn() {
        String awkward = "q\" b\\ nl\n tab\t bell\u0007 del\u007f ls\u2028 emoji\uD83D\uDE00 é";
        long id = store.add(letter("a:x").header(awkward, awkward)
                .header("lone", "x\uD800y").header("nul", "a\u0000b").build());

        DeadLetter l = store.get(id).orElseThrow();
        assertThat(l.headers().get(awkward)).isEqualTo(awkward);
        assertThat(l.headers().get("lone")).as("a lone surrogate becomes U+FFFD, which jsonb can store")
                .isEqualTo("x\uFFFDy");
        assertThat(l.headers().get("nul")).isEqualTo("a\uFFFDb");
    }

    @Test
    void whatAFailingTargetWroteInTheTransactionIsUndone() throws Exception {
        db.execute("CREATE TABLE " + schema + ".outbox (letter_id bigint NOT NULL)");
        long id = store.add(letter("webhook:x").build());
        store.registerReplayTarget("webhook:x", (tx, l) -> {
            try (Statement st = tx.createStatement()) {
                st.execute("INSERT INTO " + schema + ".outbox VALUES (" + l.id() + ")");
            }
            throw new IllegalStateException("refused after writing");
        });

        assertThat(store.replay(id).outcome()).isEqualTo(ReplayOutcome.FAILED);

        assertThat(countRows("SELECT count(*) FROM " + schema + ".outbox")).isZero();
        assertThat(store.get(id).orElseThrow().lastReplayError()).contains("refused after writing");
    }

    @Test
    void whatATargetWroteBeforeThrowingAnErrorIsUndoneToo() throws Exception {
        db.execute("CREATE TABLE " + schema + ".outbox (letter_id bigint NOT NULL)");
        long id = store.add(letter("webhook:x").build());
        store.registerReplayTarget("webhook:x", (tx, l) -> {
            try (Statement st = tx.createStatement()) {
                st.execute("INSERT INTO " + schema + ".outbox VALUES (" + l.id() + ")");
            }
            throw new AssertionError("a bug in the target, after writing");
        });

        assertThatThrownBy(() -> store.replay(id)).isInstanceOf(AssertionError.class);

        assertThat(countRows("SELECT count(*) FROM " + schema + ".outbox"))
                .as("a half-done hand-over must not be committed: the letter is still waiting and would be handed over again")
                .isZero();
        assertThat(store.get(id).orElseThrow().isWaiting()).isTrue();
    }

    @Test
    void aPurgeThatFailsHalfwaySaysHowManyLettersItHadAlreadyRemoved() {
        // the store purges in batches of 10 (see newStore); a trigger makes the second batch fail
        db.execute("""
                CREATE FUNCTION {s}.refuse() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'letter % may not be deleted', OLD.id; END $$;
                CREATE TRIGGER refuse BEFORE DELETE ON {s}.dead_letters
                    FOR EACH ROW WHEN (OLD.kind = 'poison') EXECUTE FUNCTION {s}.refuse();
                """.replace("{s}", schema));
        for (int i = 0; i < 10; i++) {
            store.add(letter("a:x").diedAt(ago(Duration.ofDays(10))).build());
        }
        store.add(NewDeadLetter.builder("a:x", "poison").diedAt(ago(Duration.ofDays(9))).build());

        assertThatThrownBy(() -> store.purgeOlderThan(Duration.ofDays(7)))
                .isInstanceOf(DeadLetterException.class)
                .hasMessageContaining("may not be deleted")
                .hasMessageContaining("10 letters were removed before this failure");
        assertThat(counter(DeadLetterMetrics.REMOVED, "cause", "age")).isEqualTo(10);
        assertThat(store.count(DeadLetterQuery.builder().anyStatus().build())).isEqualTo(1);
    }

    @Test
    void aBatchWithAFailingLetterIsRedoneLetterByLetterSoEachSuccessIsHandedOverOnce() throws Exception {
        try (Connection c = db.dataSource().getConnection()) {
            TableReplayTargetProvider.createTable(c, schema);
        }
        store.registerReplayTarget("handed:*", TableReplayTargetProvider.target(schema));
        java.util.List<Long> failing = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) {
            NewDeadLetter.Builder b = letter("handed:batch");
            if (i % 9 == 4) {
                b.header("fail", "yes");
            }
            long id = store.add(b.build());
            if (i % 9 == 4) {
                failing.add(id);
            }
        }

        ReplayProgress p = store.replayAll(ReplayAllRequest.builder().batchSize(10).build());

        assertThat(p.done()).isEqualTo(40 - failing.size());
        assertThat(p.failed()).isEqualTo(failing.size());
        assertThat(countRows("SELECT count(*) FROM " + schema + ".handed")).isEqualTo(40 - failing.size());
        assertThat(countRows("SELECT count(DISTINCT letter_id) FROM " + schema + ".handed")).isEqualTo(40 - failing.size());
        for (long id : failing) {
            DeadLetter l = store.get(id).orElseThrow();
            assertThat(l.isWaiting()).isTrue();
            assertThat(l.lastReplayError()).contains("refused letter " + id);
        }
    }

    @Test
    void aSecondReplayAllWithTheSameFilterIsRefusedWhileTheFirstIsAlive() throws Exception {
        for (int i = 0; i < 100; i++) {
            store.add(letter("a:x").build());
        }
        store.registerReplayTarget("a:*", (tx, l) -> null);
        ReplayAllRun first = store.startReplayAll(ReplayAllRequest.builder().source("a:*").ratePerSecond(10).build());
        try {
            DeadLetterStore other = PostgresDeadLetterStore.builder(db.dataSource()).schema(schema).build();
            assertThatThrownBy(() -> other.startReplayAll(ReplayAllRequest.builder().source("a:*").build()))
                    .isInstanceOf(DeadLetterException.class)
                    .hasMessageContaining("replay-all run " + first.progress().runId() + " with the same filter")
                    .hasMessageContaining("is running in pid " + ProcessHandle.current().pid());
            other.close();
        } finally {
            first.cancel();
            assertThat(first.await(Duration.ofSeconds(60)).state()).isEqualTo(ReplayProgress.State.CANCELLED);
        }
        // Cancelled runs are not resumed: the next run takes a new snapshot.
        ReplayProgress next = store.replayAll(ReplayAllRequest.builder().source("a:*").build());
        assertThat(next.runId()).isGreaterThan(first.progress().runId());
        assertThat(next.total() + first.progress().done()).isEqualTo(100);
    }

    @Test
    void aLetterLockedByAnotherReplayIsReportedBusyAndNotHandedOver() throws Exception {
        long id = store.add(letter("a:x").build());
        AtomicInteger calls = new AtomicInteger();
        store.registerReplayTarget("a:*", (tx, l) -> {
            calls.incrementAndGet();
            return null;
        });
        try (Connection other = db.dataSource().getConnection()) {
            other.setAutoCommit(false);
            try (Statement st = other.createStatement()) {
                st.execute("SELECT 1 FROM " + schema + ".dead_letters WHERE id = " + id + " FOR UPDATE");
            }
            assertThat(store.replay(id).outcome()).isEqualTo(ReplayOutcome.BUSY);
            other.rollback();
        }
        assertThat(calls).hasValue(0);
        assertThat(store.replay(id).outcome()).isEqualTo(ReplayOutcome.REPLAYED);
    }

    @Test
    void aPayloadThatIsNotJsonIsRefusedBeforeAnythingIsStored() {
        assertThatThrownBy(() -> letter("a:x").payload("{\"a\": ").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("payload of dead letter from 'a:x' is not valid JSON");
        assertThat(store.count(DeadLetterQuery.builder().anyStatus().build())).isZero();
    }

    @Test
    void theSizeGaugesAreRefreshedFromTheDatabase() {
        store.add(letter("a:x").diedAt(ago(Duration.ofMinutes(10))).build());
        store.add(letter("a:x").build());
        store.add(letter("b:x").build());

        ((PostgresDeadLetterStore) store).refreshMetrics();

        assertThat(registry.get(DeadLetterMetrics.SIZE).tag("source", "a:x").gauge().value()).isEqualTo(2);
        assertThat(registry.get(DeadLetterMetrics.SIZE).tag("source", "b:x").gauge().value()).isEqualTo(1);
        assertThat(registry.get(DeadLetterMetrics.OLDEST_AGE).gauge().value()).isGreaterThan(500);
    }

    @Test
    void theSizeGaugesRefreshOnTheirOwnAtTheConfiguredInterval() throws Exception {
        SimpleMeterRegistry own = new SimpleMeterRegistry();
        try (PostgresDeadLetterStore refreshing = PostgresDeadLetterStore.builder(db.dataSource()).schema(schema)
                .build()) {
            new DeadLetterMetrics(refreshing, Duration.ofMillis(100)).bindTo(own);
            refreshing.add(letter("c:x").build());
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (own.find(DeadLetterMetrics.SIZE).tag("source", "c:x").gauge() == null && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(own.get(DeadLetterMetrics.SIZE).tag("source", "c:x").gauge().value()).isEqualTo(1);
        }
    }

    private long countRows(String sql) throws Exception {
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
