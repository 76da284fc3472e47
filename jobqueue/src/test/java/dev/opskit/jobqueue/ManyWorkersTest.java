package dev.opskit.jobqueue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.opskit.core.testing.PostgresExtension;
import dev.opskit.core.testing.TestDatabase;
import dev.opskit.core.testing.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.opskit.jobqueue.WorkerProcessTest.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** Many workers at once, and a database that goes away. */
@ExtendWith(PostgresExtension.class)
class ManyWorkersTest {
    private final TestDatabase db;

    ManyWorkersTest(TestDatabase db) {
        this.db = db;
    }

    @Test
    void eightWorkersRunFiftyThousandJobsEachExactlyOnce() {
        db.execute("DROP SCHEMA IF EXISTS opskit CASCADE");
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(db.jdbcUrl());
        config.setMaximumPoolSize(40);
        try (HikariDataSource pool = new HikariDataSource(config)) {
            PostgresJobQueue queue = PostgresJobQueue.builder(pool).build();
            queue.installSchema();
            int total = 50_000;
            for (int batch = 0; batch < total / 10_000; batch++) {
                List<JobRequest> requests = new ArrayList<>();
                for (int i = 0; i < 10_000; i++) {
                    requests.add(JobRequest.builder("count").payload("{\"n\":" + (batch * 10_000 + i) + "}").build());
                }
                assertThat(queue.enqueueAll(requests)).isEqualTo(10_000);
            }
            Map<Long, AtomicInteger> runs = new ConcurrentHashMap<>();
            List<Workers> workers = new ArrayList<>();
            for (int w = 0; w < 8; w++) {
                workers.add(Workers.builder(queue).workerId("w" + w).queue("default", 4)
                        .handler("count", ctx -> runs.computeIfAbsent(ctx.job().id(), k -> new AtomicInteger()).incrementAndGet())
                        .start());
            }
            try {
                await("50,000 jobs completed", () -> count(pool, "SELECT count(*) FROM opskit.finished_jobs WHERE state = 'completed'") == total);
            } finally {
                workers.forEach(w -> w.shutdown(Duration.ofSeconds(10)));
            }
            assertThat(runs).hasSize(total);
            assertThat(runs.values()).allSatisfy(n -> assertThat(n).hasValue(1));
            assertThat(count(pool, "SELECT count(*) FROM opskit.jobs")).isZero();
        }
    }

    @Test
    void workersRecoverFromADatabaseRestartWithoutLosingAJob() throws Exception {
        TestPostgres server = db.server();
        assumeFalse(server.isExternal(), "cannot restart an external server");
        db.execute("DROP SCHEMA IF EXISTS opskit CASCADE");
        PostgresJobQueue queue = PostgresJobQueue.builder(db.dataSource()).build();
        queue.installSchema();
        Map<Long, AtomicInteger> runs = new ConcurrentHashMap<>();
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            ids.add(queue.enqueue(JobRequest.of("slow", "{}")).jobId());
        }
        Workers workers = Workers.builder(queue).queue("default", 4).pollInterval(Duration.ofMillis(100))
                .leaseDuration(Duration.ofSeconds(5)).maintenanceInterval(Duration.ofMillis(200))
                .handler("slow", ctx -> {
                    Thread.sleep(20);
                    runs.computeIfAbsent(ctx.job().id(), k -> new AtomicInteger()).incrementAndGet();
                })
                .start();
        try {
            await("some jobs ran", () -> runs.size() >= 10);
            server.stop();
            Thread.sleep(1500);
            server.start();
            for (int i = 0; i < 100; i++) {
                ids.add(queue.enqueue(JobRequest.of("slow", "{}")).jobId());
            }
            await("all 200 jobs completed", () -> count(db.dataSource(), "SELECT count(*) FROM opskit.finished_jobs WHERE state = 'completed'") == 200);
        } finally {
            workers.shutdown(Duration.ofSeconds(10));
        }
        assertThat(runs.keySet()).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(count(db.dataSource(), "SELECT count(*) FROM opskit.jobs")).isZero();
    }

    private static long count(javax.sql.DataSource ds, String sql) {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (Exception e) {
            return -1; // the database may be restarting
        }
    }
}
