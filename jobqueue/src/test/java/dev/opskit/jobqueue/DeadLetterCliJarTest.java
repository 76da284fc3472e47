package dev.opskit.jobqueue;

import dev.opskit.core.testing.PostgresExtension;
import dev.opskit.core.testing.TestDatabase;
import dev.opskit.deadletter.DeadLetter;
import dev.opskit.deadletter.DeadLetterQuery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static dev.opskit.jobqueue.WorkerProcessTest.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shaded {@code target/opskit-deadletter-cli.jar} replays a job-queue letter as an operator
 * would run it: {@code java -jar jobqueue/target/opskit-deadletter-cli.jar --url ... replay ID}.
 * Runs in the package phase, after the jar is built.
 */
@ExtendWith(PostgresExtension.class)
class DeadLetterCliJarTest {

    @Test
    void theCommandLineJarReplaysAJobQueueLetterAsANewJob(TestDatabase db) throws Exception {
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

        Path jar = Path.of("target", "opskit-deadletter-cli.jar");
        if (Boolean.getBoolean("opskit.cliJarRequired")) {
            assertThat(jar).exists();
        } else {
            // run with -Dtest=... in the test phase, before the jar exists; the package-phase run requires it
            org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(jar), "the jar is built in the package phase");
        }
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        ProcessBuilder listing = new ProcessBuilder(java, "-jar", jar.toString(), "list", "--source", "jobqueue:*").redirectErrorStream(true);
        listing.environment().put("DATABASE_URL", db.jdbcUrl());
        Process list = listing.start();
        assertThat(list.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String listed = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(list.exitValue()).as(listed).isZero();
        assertThat(listed).contains("jobqueue:emails").contains("send-email").contains("max_attempts");

        Process p = new ProcessBuilder(java, "-jar", jar.toString(), "--url", db.jdbcUrl(), "replay", String.valueOf(letter.id()))
                .redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("replayed").contains("job ").doesNotContain("SLF4J");
        Job replay = queue.counts().isEmpty() ? null : findReplay(queue, letter.id());
        assertThat(replay).as("a new job linked to the letter").isNotNull();
        assertThat(replay.queue()).isEqualTo("emails");
        assertThat(replay.kind()).isEqualTo("send-email");
        assertThat(replay.state()).isEqualTo(JobState.AVAILABLE);
        assertThat(queue.deadLetters().get(letter.id()).orElseThrow().isWaiting()).isFalse();
        Files.writeString(Path.of("target", "cli-replay-output.txt"), out);
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
}
