package dev.opskit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opskit.core.testing.PostgresExtension;
import dev.opskit.core.testing.TestDatabase;
import dev.opskit.deadletter.DeadLetter;
import dev.opskit.deadletter.DeadLetterQuery;
import dev.opskit.jobqueue.Job;
import dev.opskit.jobqueue.JobRequest;
import dev.opskit.jobqueue.JobState;
import dev.opskit.jobqueue.PostgresJobQueue;
import dev.opskit.jobqueue.Workers;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code target/opskit.jar} as an operator runs it: {@code java -jar cli/target/opskit.jar COMMAND ...}
 * in a process of its own, against the embedded database. Runs in the package phase, after the jar is built.
 */
@ExtendWith(PostgresExtension.class)
class OpskitJarTest {
    private static final Path JAR = Path.of("target", "opskit.jar");

    record Run(int exit, String out) {
    }

    private static Run opskit(Map<String, String> env, String... args) throws Exception {
        assertThat(JAR).as("built in the package phase").exists();
        List<String> cmd = new ArrayList<>(List.of(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java",
                "-XX:TieredStopAtLevel=1", "-jar", JAR.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("DATABASE_URL");
        pb.environment().putAll(env);
        Process p = pb.start();
        try {
            assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("opskit %s finishes", List.of(args)).isTrue();
            return new Run(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void theLauncherListsEveryModulesCommandAndRefusesAnUnknownOne() throws Exception {
        Run help = opskit(Map.of(), "--help");
        assertThat(help.exit()).as(help.out()).isZero();
        assertThat(help.out()).contains("usage: opskit COMMAND").contains("  deadletters ").contains("  env ")
                .contains("  jobs ").contains("  migrations ");

        Run none = opskit(Map.of());
        assertThat(none.exit()).isEqualTo(2);
        Run unknown = opskit(Map.of(), "deadletter", "list");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.out()).contains("unknown command 'deadletter'; one of deadletters, env, jobs, migrations");
        Run noDatabase = opskit(Map.of(), "jobs", "counts");
        assertThat(noDatabase.exit()).isEqualTo(2);
        assertThat(noDatabase.out()).contains("no database: set DATABASE_URL or pass --url").doesNotContain("SLF4J");
    }

    @Test
    void migrationsAndEnvKeepTheirExitCodes(@TempDir Path dir) throws Exception {
        Path unsafe = Files.createDirectories(dir.resolve("unsafe"));
        Files.writeString(unsafe.resolve("V1__init.sql"), "CREATE TABLE users (id bigint PRIMARY KEY, legacy text);\n");
        Files.writeString(unsafe.resolve("V2__drop.sql"), "ALTER TABLE users DROP COLUMN legacy;\n");
        Run blocked = opskit(Map.of(), "migrations", "check", unsafe.toString());
        assertThat(blocked.exit()).as(blocked.out()).isEqualTo(1);
        assertThat(blocked.out()).contains("blocking [drop-column]");
        assertThat(opskit(Map.of(), "migrations", "rules").exit()).isZero();

        Path requirements = dir.resolve("app.requirements");
        Files.writeString(requirements, "DATABASE_URL required\n");
        assertThat(opskit(Map.of("DATABASE_URL", "postgres://db/app"), "env", "check", requirements.toString()).exit()).isZero();
        Run missing = opskit(Map.of(), "env", "check", requirements.toString());
        assertThat(missing.exit()).as(missing.out()).isEqualTo(1);
        assertThat(missing.out()).contains("DATABASE_URL is missing");
        assertThat(opskit(Map.of(), "env", "check", "--bogus", requirements.toString()).exit()).isEqualTo(2);
    }

    @Test
    void jobsShowsCountsAJobAndCancelsAWaitingOne(TestDatabase db) throws Exception {
        PostgresJobQueue queue = PostgresJobQueue.builder(db.dataSource()).build();
        queue.installSchema();
        long waiting = queue.enqueue(JobRequest.builder("resize-image").queue("images").payload("{\"id\":7}")
                .delay(Duration.ofHours(1)).build()).jobId();
        Map<String, String> env = Map.of("DATABASE_URL", db.jdbcUrl());

        Run counts = opskit(env, "jobs", "counts");
        assertThat(counts.exit()).as(counts.out()).isZero();
        assertThat(counts.out()).contains("QUEUE").containsPattern("images\\s+1\\s+0\\s+0\\s+0\\s+0");
        Run json = opskit(env, "jobs", "--json", "counts");
        assertThat(json.out()).contains("{\"queues\":[{\"queue\":\"images\",\"available\":1,\"running\":0");

        Run show = opskit(env, "jobs", "show", String.valueOf(waiting));
        assertThat(show.exit()).as(show.out()).isZero();
        assertThat(show.out()).contains("kind:            resize-image").contains("state:           available")
                .contains("payload:         {\"id\": 7}");
        assertThat(opskit(env, "jobs", "stuck", "--older-than", "1m").out()).contains("no job has been running for longer than 60s");

        Run cancelled = opskit(env, "jobs", "cancel", String.valueOf(waiting));
        assertThat(cancelled.exit()).as(cancelled.out()).isZero();
        assertThat(queue.get(waiting).orElseThrow().state()).isEqualTo(JobState.CANCELLED);
        Run again = opskit(env, "jobs", "cancel", String.valueOf(waiting));
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.out()).contains("job " + waiting + " is cancelled, only a waiting or running job can be cancelled");
        Run unknownId = opskit(env, "jobs", "show", "987654");
        assertThat(unknownId.exit()).isEqualTo(1);
        assertThat(unknownId.out()).contains("no job with id 987654");
        Run badAge = opskit(env, "jobs", "stuck", "--older-than", "10");
        assertThat(badAge.exit()).isEqualTo(2);
        assertThat(badAge.out()).contains("--older-than must be an age like 30s, 15m, 12h or 7d, but was '10'");
    }

    @Test
    void deadlettersReplaysAJobQueueLetterAsANewJob(TestDatabase db) throws Exception {
        PostgresJobQueue queue = PostgresJobQueue.builder(db.dataSource()).build();
        queue.installSchema();
        long jobId = queue.enqueue(JobRequest.builder("send-email").queue("emails").payload("{\"to\":\"ops@example.com\"}")
                .maxAttempts(1).build()).jobId();
        Workers workers = Workers.builder(queue).queue("emails", 1).pollInterval(Duration.ofMillis(50))
                .handler("send-email", ctx -> {
                    throw new IllegalStateException("smtp 550 mailbox unavailable");
                }).start();
        try {
            await("the job is dead", () -> queue.get(jobId).map(j -> j.state() == JobState.DEAD).orElse(false));
        } finally {
            workers.shutdown(Duration.ofSeconds(5));
        }
        DeadLetter letter = queue.deadLetters().list(DeadLetterQuery.waiting()).letters().get(0);
        Map<String, String> env = Map.of("DATABASE_URL", db.jdbcUrl());

        Run listed = opskit(env, "deadletters", "list", "--source", "jobqueue:*");
        assertThat(listed.exit()).as(listed.out()).isZero();
        assertThat(listed.out()).contains("jobqueue:emails").contains("send-email").contains("max_attempts");

        Run replayed = opskit(Map.of(), "deadletters", "--url", db.jdbcUrl(), "replay", String.valueOf(letter.id()));
        assertThat(replayed.exit()).as(replayed.out()).isZero();
        assertThat(replayed.out()).contains("replayed").contains("job ").doesNotContain("SLF4J");
        Job replay = findReplay(queue, letter.id());
        assertThat(replay).as("a new job linked to the letter").isNotNull();
        assertThat(replay.queue()).isEqualTo("emails");
        assertThat(replay.kind()).isEqualTo("send-email");
        assertThat(replay.state()).isEqualTo(JobState.AVAILABLE);
        assertThat(queue.deadLetters().get(letter.id()).orElseThrow().isWaiting()).isFalse();
    }

    private static Job findReplay(PostgresJobQueue queue, long letterId) {
        for (long id = 1; id < 100; id++) {
            Job j = queue.get(id).orElse(null);
            if (j != null && Long.valueOf(letterId).equals(j.replayOf())) {
                return j;
            }
        }
        return null;
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > until) {
                throw new AssertionError("timed out after 90 s waiting for: " + what);
            }
            Thread.sleep(50);
        }
    }
}
