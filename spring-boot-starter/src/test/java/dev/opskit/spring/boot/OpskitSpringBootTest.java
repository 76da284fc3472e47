package dev.opskit.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opskit.core.testing.TestDatabase;
import dev.opskit.core.testing.TestPostgres;
import dev.opskit.jobqueue.JobQueue;
import dev.opskit.jobqueue.JobRequest;
import dev.opskit.jobqueue.JobState;
import dev.opskit.jobqueue.PostgresJobQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.actuate.health.CompositeHealth;
import org.springframework.boot.actuate.health.HealthComponent;
import org.springframework.boot.actuate.health.HealthEndpoint;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.annotation.Transactional;

/**
 * The whole starter in a real Boot application on a real PostgreSQL (Boot's own DataSource,
 * Hikari and transaction manager): a {@code @Transactional} service enqueues in its own
 * transaction, so its rollback removes the job and its commit lets the handler bean run it; the
 * opskit checks show in Actuator's health endpoint.
 */
@SpringBootTest(classes = OpskitSpringBootTest.App.class, properties = {
        "opskit.jobqueue.workers.queues.tx=2", "opskit.jobqueue.workers.poll-interval=100ms", "opskit.health.interval=1s",
        "management.endpoint.health.show-details=always"})
class OpskitSpringBootTest {
    private static final TestDatabase DB = TestPostgres.shared().createDatabase("OpskitSpringBootTest");
    static final Set<String> HANDLED = ConcurrentHashMap.newKeySet();

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", DB::jdbcUrl);
        registry.add("spring.datasource.username", () -> "postgres");
        registry.add("spring.flyway.enabled", () -> "false");
    }


    @Autowired Notes notes;
    @Autowired JobQueue jobs;
    @Autowired PostgresJobQueue queue;
    @Autowired JdbcTemplate jdbc;
    @Autowired HealthEndpoint health;

    @Test
    void aRollbackRemovesTheJobTheTransactionEnqueued() {
        assertThatThrownBy(() -> notes.write("rolled-back", true)).isInstanceOf(IllegalStateException.class);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM notes WHERE text = 'rolled-back'", Long.class)).isZero();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM opskit.jobs WHERE payload->>'text' = 'rolled-back'", Long.class))
                .as("the job went with the rollback").isZero();
    }

    @Test
    void aCommitKeepsTheJobAndTheHandlerBeanRunsIt() throws Exception {
        long jobId = notes.write("committed", false);
        assertThat(queue.get(jobId)).as("committed with the note").isPresent();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < end && !HANDLED.contains("committed")) {
            Thread.sleep(50);
        }
        assertThat(HANDLED).contains("committed");
        end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < end && queue.get(jobId).map(j -> j.state() != JobState.COMPLETED).orElse(false)) {
            Thread.sleep(50);
        }
        assertThat(queue.get(jobId)).hasValueSatisfying(j -> assertThat(j.state()).isEqualTo(JobState.COMPLETED));
    }

    @Test
    void outsideATransactionTheEnqueueCommitsByItself() {
        long id = jobs.enqueue(JobRequest.builder("note").queue("elsewhere").payload("{\"text\":\"alone\"}").build()).jobId();
        assertThat(queue.get(id)).isPresent();
    }

    @Test
    void opskitChecksAreInActuatorHealth() throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        HealthComponent opskit = health.healthForPath("opskit");
        while (System.nanoTime() < end && !"UP".equals(opskit.getStatus().getCode())) {
            Thread.sleep(100);
            opskit = health.healthForPath("opskit");
        }
        assertThat(opskit).isInstanceOf(CompositeHealth.class);
        assertThat(((CompositeHealth) opskit).getComponents()).containsKeys("db", "jobs", "dead-letters", "deadlocks");
        assertThat(opskit.getStatus().getCode()).isEqualTo("UP");
    }

    /** No component scan: this package holds the auto-configuration itself. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
        @Bean
        OpskitJobHandler noteHandler() {
            return OpskitJobHandler.of("note", ctx -> HANDLED.add(ctx.payload().replaceAll(".*\"text\":\\s*\"([^\"]*)\".*", "$1")));
        }

        @Bean
        Notes notes(JdbcTemplate jdbc, JobQueue jobs) {
            jdbc.execute("CREATE TABLE IF NOT EXISTS notes (id bigserial PRIMARY KEY, text text NOT NULL)");
            return new Notes(jdbc, jobs);
        }
    }

    /** Application code: writes a note and its job in one transaction. */
    static class Notes {
        private final JdbcTemplate jdbc;
        private final JobQueue jobs;

        Notes(JdbcTemplate jdbc, JobQueue jobs) {
            this.jdbc = jdbc;
            this.jobs = jobs;
        }

        @Transactional
        public long write(String text, boolean fail) {
            jdbc.update("INSERT INTO notes (text) VALUES (?)", text);
            long id = jobs.enqueue(JobRequest.builder("note").queue("tx").payload("{\"text\":\"" + text + "\"}").build()).jobId();
            if (fail) {
                throw new IllegalStateException("fails after the enqueue, so both roll back");
            }
            return id;
        }
    }

}
