package dev.opskit.jobqueue;

import dev.opskit.core.testing.TestDatabase;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Group enqueue when the group statement fails after it ran: nothing is inserted twice. */
class GroupEnqueueFailureTest extends PostgresQueueTestBase {
    GroupEnqueueFailureTest(TestDatabase db) {
        super(db);
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
            List<String> payloads = GroupEnqueueTest.numbered(5);
            payloads.set(2, "{\"n\":3,\"skip\":true}");
            GroupEnqueueTest.HeldGroup held = GroupEnqueueTest.holdAGroup(gated, queue, pool, payloads);
            List<Future<EnqueueResult>> group = held.group();
            gated.release.countDown();
            for (Future<EnqueueResult> f : held.first()) {
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
