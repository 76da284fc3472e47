package dev.opskit.jobqueue;

import dev.opskit.core.testing.PostgresExtension;
import dev.opskit.core.testing.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import javax.sql.DataSource;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Group enqueue when the group statement fails after it ran: nothing is inserted twice. */
@ExtendWith(PostgresExtension.class)
class GroupEnqueueFailureTest {
    private final TestDatabase db;

    GroupEnqueueFailureTest(TestDatabase db) {
        this.db = db;
        PostgresJobQueue.builder(db.dataSource()).build().installSchema();
    }

    @BeforeEach
    void empty() {
        db.execute("TRUNCATE opskit.jobs, opskit.finished_jobs, opskit.dead_letters CASCADE");
    }

    /**
     * An application's BEFORE INSERT trigger that skips a row (returns NULL; e.g. an old-style
     * partition redirect or a filter) makes the committed group statement return 4 ids for 5 jobs;
     * the SQLException (no state) thrown after the autocommit makes GroupEnqueue retry each alone,
     * inserting the 4 already-committed jobs a second time.
     */
    @Test
    void aGroupStatementThatFailsAfterItCommittedInsertsNoJobTwice() throws Exception {
        db.execute("CREATE OR REPLACE FUNCTION opskit.skip_rows() RETURNS trigger LANGUAGE plpgsql AS "
                + "$$ BEGIN IF NEW.payload->>'skip' IS NOT NULL THEN RETURN NULL; END IF; RETURN NEW; END $$");
        db.execute("CREATE TRIGGER skip_rows BEFORE INSERT ON opskit.jobs FOR EACH ROW EXECUTE FUNCTION opskit.skip_rows()");
        try {
            GroupEnqueueTest.GatedDataSource gated = new GroupEnqueueTest.GatedDataSource(db.dataSource());
            PostgresJobQueue queue = PostgresJobQueue.builder(gated).build();
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<EnqueueResult>> first = new ArrayList<>();
            for (int i = 0; i < GroupEnqueue.MAX_IN_FLIGHT; i++) {
                first.add(pool.submit(() -> queue.enqueue(JobRequest.of("mail", "{\"held\":true}"))));
            }
            assertThat(gated.held.await(10, TimeUnit.SECONDS)).isTrue();
            List<Future<EnqueueResult>> group = new ArrayList<>();
            for (int i = 1; i <= 5; i++) {
                String payload = i == 3 ? "{\"n\":3,\"skip\":true}" : "{\"n\":" + i + "}";
                group.add(pool.submit(() -> queue.enqueue(JobRequest.of("mail", payload))));
            }
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (queue.groupEnqueue().waitingCount() != 5 && System.nanoTime() < end) {
                Thread.sleep(5);
            }
            gated.release.countDown();
            for (Future<EnqueueResult> f : first) {
                f.get(30, TimeUnit.SECONDS);
            }
            for (int i = 0; i < 5; i++) {
                if (i == 2) {
                    // the skipped row: its caller learns it was not stored
                    int n = i;
                    assertThatThrownBy(() -> group.get(n).get(30, TimeUnit.SECONDS))
                            .hasCauseInstanceOf(JobQueueException.class);
                } else {
                    assertThat(group.get(i).get(30, TimeUnit.SECONDS).inserted()).isTrue();
                }
            }
            pool.shutdown();
            assertThat(queue.groupEnqueue().largestGroup()).as("the five formed one group").isGreaterThanOrEqualTo(5);
            Map<String, Integer> perPayload = new java.util.TreeMap<>();
            try (Connection c = db.dataSource().getConnection(); java.sql.Statement st = c.createStatement();
                 java.sql.ResultSet rs = st.executeQuery("SELECT payload::text FROM opskit.jobs")) {
                while (rs.next()) {
                    perPayload.merge(rs.getString(1), 1, Integer::sum);
                }
            }
            perPayload.remove("{\"held\": true}");
            assertThat(perPayload.values()).as("no job stored twice: %s", perPayload).allMatch(n -> n == 1);
            assertThat(perPayload).hasSize(4);
        } finally {
            db.execute("DROP TRIGGER skip_rows ON opskit.jobs");
        }
    }
}
