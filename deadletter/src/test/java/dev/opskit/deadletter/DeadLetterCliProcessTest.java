package dev.opskit.deadletter;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.opskit.core.testing.PostgresExtension;
import dev.opskit.core.testing.TestDatabase;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** The command line as a separate process against the embedded database, as an operator runs it. */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeadLetterCliProcessTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final TestDatabase db;
    private Map<String, String> env;
    private PostgresDeadLetterStore store;
    private long emailLetter;
    private long orphanLetter;

    DeadLetterCliProcessTest(TestDatabase db) {
        this.db = db;
    }

    @BeforeAll
    void letters() throws Exception {
        store = PostgresDeadLetterStore.builder(db.dataSource()).build();
        store.installSchema();
        try (Connection c = db.dataSource().getConnection()) {
            TableReplayTargetProvider.createTable(c, "opskit");
        }
        emailLetter = store.add(NewDeadLetter.builder("handed:emails", "send-email").payload("{\"to\":\"ops@example.com\"}")
                .error(new IllegalStateException("smtp 550")).attempts(5).reason(DeadLetterReason.MAX_ATTEMPTS)
                .errorHistory("[{\"attempt\":1,\"message\":\"smtp 451\",\"stack\":\"\\tat Mailer.send(Mailer.java:10)\"},"
                        + "{\"attempt\":2,\"message\":\"smtp 550\"}]").build());
        orphanLetter = store.add(NewDeadLetter.builder("webhook:nobody", "deliver").payload("{}")
                .reason(DeadLetterReason.NON_RETRYABLE, "410 Gone").build());
        store.add(NewDeadLetter.builder("handed:old", "x").diedAt(Instant.now().minus(Duration.ofDays(9))).build());
        env = Map.of("DATABASE_URL", db.jdbcUrl());
    }

    @Test
    void listAsJsonShowsTheWaitingLetters() throws Exception {
        ChildJvm.Result r = ChildJvm.run(env, "list", "--json");

        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode letters = JSON.readTree(r.out()).get("letters");
        assertThat(letters).extracting(n -> n.get("source").asText()).contains("handed:emails", "webhook:nobody");
        JsonNode email = findById(letters, emailLetter);
        assertThat(email.get("reason").asText()).isEqualTo("max_attempts");
        assertThat(email.get("payload").get("to").asText()).isEqualTo("ops@example.com");
        assertThat(email.get("attempts").asInt()).isEqualTo(5);
        assertThat(email.get("error_history").isArray()).as("an array, not JSON text in a string").isTrue();
        assertThat(email.get("error_history").get(0).get("message").asText()).isEqualTo("smtp 451");
        assertThat(findById(letters, orphanLetter).get("error_history")).isEmpty();
    }

    @Test
    void showPrintsTheLetterWithItsStackTraceAndAnUnknownIdExitsWithOne() throws Exception {
        ChildJvm.Result shown = ChildJvm.run(env, "show", String.valueOf(emailLetter));
        assertThat(shown.exitCode()).as(shown.err()).isZero();
        assertThat(shown.out()).contains("handed:emails").contains("smtp 550").contains("stack trace:")
                .contains("java.lang.IllegalStateException");
        assertThat(shown.out()).as("one line per earlier failure, its stack indented below").contains("error history:     2 entries")
                .contains("  - attempt=1 message=smtp 451").contains("      at Mailer.send(Mailer.java:10)")
                .contains("  - attempt=2 message=smtp 550").doesNotContain("\\\"");

        ChildJvm.Result unknown = ChildJvm.run(env, "show", "424242");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).contains("no dead letter with id 424242");
    }

    @Test
    void replayOfALetterWithoutTargetExitsWithOneAndKeepsIt() throws Exception {
        ChildJvm.Result r = ChildJvm.run(env, "replay", String.valueOf(orphanLetter));

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.out()).contains("no_target").contains("no replay target registered for source 'webhook:nobody'");
        assertThat(store.get(orphanLetter).orElseThrow().isWaiting()).isTrue();
    }

    @Test
    void replayThroughAProviderOnTheClasspathWorksWithAPostgresStyleUrl() throws Exception {
        long id = store.add(NewDeadLetter.builder("handed:one", "x").build());

        ChildJvm.Result r = ChildJvm.run(Map.of("DATABASE_URL", postgresUrl(db.jdbcUrl())), "replay", String.valueOf(id));

        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains(id + " replayed -> handed-" + id);
        assertThat(store.get(id).orElseThrow().status()).isEqualTo(DeadLetterStatus.REPLAYED);
    }

    @Test
    void usageErrorsExitWithTwo() throws Exception {
        ChildJvm.Result unknownCommand = ChildJvm.run(env, "resurrect");
        assertThat(unknownCommand.exitCode()).isEqualTo(2);
        assertThat(unknownCommand.err()).contains("unknown command 'resurrect'");

        ChildJvm.Result badUrl = ChildJvm.run(Map.of("DATABASE_URL", "mysql://root:hunter2@db/app"), "stats");
        assertThat(badUrl.exitCode()).isEqualTo(2);
        assertThat(badUrl.err()).contains("database URL must start with jdbc:postgresql://, postgres:// or postgresql://")
                .doesNotContain("hunter2");
    }

    @Test
    void anUnreachableDatabaseExitsWithOneAndHidesThePassword() throws Exception {
        ChildJvm.Result r = ChildJvm.run(Map.of(), "--url", "postgres://ops:s3cret@127.0.0.1:1/app", "stats");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("could not connect to postgres://ops:***@127.0.0.1:1/app").doesNotContain("s3cret");
    }

    @Test
    void replayAllDryRunThenForRealThenPurge() throws Exception {
        store.add(NewDeadLetter.builder("handed:bulk", "x").build());
        store.add(NewDeadLetter.builder("handed:bulk", "x").build());

        ChildJvm.Result dry = ChildJvm.run(env, "replay", "--all", "--source", "handed:bulk", "--dry-run", "--json");
        assertThat(dry.exitCode()).as(dry.err()).isZero();
        assertThat(JSON.readTree(dry.out()).get("done").asLong()).isEqualTo(2);
        assertThat(store.count(DeadLetterQuery.builder().source("handed:bulk").build())).isEqualTo(2);

        ChildJvm.Result real = ChildJvm.run(env, "replay", "--all", "--source", "handed:bulk", "--json");
        assertThat(real.exitCode()).as(real.err()).isZero();
        JsonNode p = JSON.readTree(real.out());
        assertThat(p.get("state").asText()).isEqualTo("finished");
        assertThat(p.get("done").asLong()).isEqualTo(2);
        assertThat(store.count(DeadLetterQuery.builder().source("handed:bulk").build())).isZero();

        ChildJvm.Result purge = ChildJvm.run(env, "purge", "--older-than", "7d", "--json");
        assertThat(purge.exitCode()).as(purge.err()).isZero();
        assertThat(JSON.readTree(purge.out()).get("purged_by_age").asLong()).isEqualTo(1);
        assertThat(store.count(DeadLetterQuery.builder().source("handed:old").anyStatus().build())).isZero();
    }

    @Test
    void anAgeWithoutAUnitIsAUsageErrorAndPurgesNothing() {
        long before = store.count(DeadLetterQuery.builder().anyStatus().build());
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream discard = new java.io.PrintStream(new java.io.ByteArrayOutputStream(), true);

        // "7" meant 7 days at 3 a.m.; read as 7 seconds it would delete nearly every letter
        int code = dev.opskit.deadletter.cli.DeadLetterCli.run(new String[] {"purge", "--older-than", "7"}, env, discard,
                new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));

        assertThat(code).isEqualTo(2);
        assertThat(err.toString(java.nio.charset.StandardCharsets.UTF_8)).contains("--older-than must be an age like 30s, 15m, 12h or 7d, but was '7'");
        assertThat(store.count(DeadLetterQuery.builder().anyStatus().build())).isEqualTo(before);
    }

    private static JsonNode findById(JsonNode letters, long id) {
        for (JsonNode n : letters) {
            if (n.get("id").asLong() == id) {
                return n;
            }
        }
        throw new AssertionError("letter " + id + " not listed in " + letters);
    }

    /** jdbc:postgresql://host:port/db?user=u[&password=p] as postgres://u[:p]@host:port/db. */
    static String postgresUrl(String jdbcUrl) {
        Matcher m = Pattern.compile("jdbc:postgresql://([^/]+)/([^?]+)\\?(.*)").matcher(jdbcUrl);
        if (!m.matches()) {
            throw new IllegalStateException("unexpected test URL " + jdbcUrl);
        }
        String user = "";
        String password = null;
        for (String kv : m.group(3).split("&")) {
            if (kv.startsWith("user=")) {
                user = kv.substring(5);
            } else if (kv.startsWith("password=")) {
                password = kv.substring(9);
            }
        }
        return "postgres://" + user + (password == null ? "" : ":" + password) + "@" + m.group(1) + "/" + m.group(2);
    }
}
