package dev.opskit.jobqueue;

import dev.opskit.core.testing.TestDatabase;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** A worker JVM killed with SIGKILL in the middle of enqueuing a due run: another JVM enqueues it, once. */
class ScheduleProcessTest extends PostgresQueueTestBase {
    private Process child;
    private Workers survivor;

    ScheduleProcessTest(TestDatabase db) {
        super(db);
    }

    @Override // schedules too; this test makes no dead letters
    @BeforeEach
    void empty() {
        db.execute("TRUNCATE opskit.jobs, opskit.finished_jobs, opskit.schedules");
    }

    @AfterEach
    void stop() {
        if (child != null) {
            child.destroyForcibly();
        }
        if (survivor != null) {
            survivor.shutdown(Duration.ofSeconds(5));
        }
    }

    @Test
    void aDueRunWhoseEnqueuerIsKilledMidTransactionIsEnqueuedByAnotherJvmExactlyOnce() throws Exception {
        AtomicReference<String> holding = new AtomicReference<>();
        child = start("jvm-a", holding);
        WorkerProcessTest.await("jvm-a holds its first due time inside the enqueue transaction", () -> holding.get() != null);
        Instant held = Instant.parse(holding.get());

        // A second JVM (this one) declares the same schedule: the row is locked, so it enqueues nothing yet.
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new JobQueueMetrics(queue).bindTo(registry);
        survivor = Workers.builder(queue).workerId("jvm-b").queue("none", 1).maintenance(false).listenNotify(false)
                .schedulePollInterval(Duration.ofMillis(200)).schedule(ScheduleProcessMain.HEARTBEAT).start();
        Thread.sleep(1500);
        assertThat(keys()).as("nothing is enqueued while jvm-a holds the row").isEmpty();

        child.destroyForcibly(); // SIGKILL: its transaction rolls back with its connection
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();

        String heldKey = Schedule.uniqueKey("heartbeat", held);
        WorkerProcessTest.await("jvm-b enqueues the due time jvm-a held", () -> keys().contains(heldKey));
        WorkerProcessTest.await("and keeps going", () -> keys().size() >= 3);
        survivor.shutdown(Duration.ofSeconds(5));
        survivor = null;

        List<String> keys = keys();
        assertThat(keys.get(0)).as("the first due time is the one jvm-a held").isEqualTo(heldKey);
        assertThat(keys).doesNotHaveDuplicates();
        Instant last = Instant.parse(keys.get(keys.size() - 1).substring("schedule:heartbeat@".length()));
        assertThat(keys).as("every second from the held one to the last, none missing")
                .hasSize((int) Duration.between(held, last).toSeconds() + 1);
        Counter won = registry.find(JobQueueMetrics.SCHEDULE_ENQUEUED).tag("schedule", "heartbeat").counter();
        assertThat(won).isNotNull();
        assertThat(won.count()).as("jvm-b won every due time; jvm-a none (its commit never happened)").isEqualTo(keys.size());
    }

    private List<String> keys() {
        List<String> out = new ArrayList<>();
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT unique_key FROM opskit.jobs WHERE kind = 'beat' ORDER BY run_at, unique_key")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        out.sort(java.util.Comparator.comparing(k -> Instant.parse(k.substring(k.indexOf('@') + 1))));
        return out;
    }

    private Process start(String id, AtomicReference<String> holding) throws Exception {
        return ChildJvm.start(id, ScheduleProcessMain.class, line -> {
            if (line.startsWith("HOLDING ")) {
                holding.set(line.substring("HOLDING ".length()).strip());
            }
        }, db.jdbcUrl(), id);
    }
}
