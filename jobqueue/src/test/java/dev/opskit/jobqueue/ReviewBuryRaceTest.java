package dev.opskit.jobqueue;

import dev.opskit.core.testing.TestDatabase;
import dev.opskit.jobqueue.internal.PgStore;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Review (adversarial): MaintenanceLeader.buryExpiredSpent locks the expired jobs with no attempts
 * left ({@code lockExpiredSpent}), commits (the locks are gone), and then buries each by id with
 * no token and no expiry check. A worker that was only paused extends its lease in between (its
 * token still matches, the row still runs); the burial then deletes its running job and makes a
 * dead letter of it anyway, and the worker's success is dropped as stale.
 */
class ReviewBuryRaceTest extends PostgresQueueTestBase {
    ReviewBuryRaceTest(TestDatabase db) {
        super(db);
    }

    @Test
    void aLeaseExtendedBetweenTheLeadersLockAndItsBurialIsNotBuried() throws Exception {
        PgStore store = queue.store();
        long id = queue.enqueue(JobRequest.builder("k").payload("{}").maxAttempts(1).build()).jobId();
        long token = 4242;
        try (Connection worker = db.dataSource().getConnection(); Connection leader = db.dataSource().getConnection()) {
            worker.setAutoCommit(true);
            List<PgStore.Claimed> claimed = store.claim(worker, "default", 1, "w1", token, Duration.ofMillis(1));
            assertThat(claimed).hasSize(1);
            Thread.sleep(50); // the worker pauses past its lease, on its last attempt

            // the leader's buryExpiredSpent, step 1: lock the expired spent jobs, and commit
            leader.setAutoCommit(false);
            assertThat(store.lockExpiredSpent(leader, 1000)).containsExactly(id);
            leader.commit();

            // the worker wakes up and extends its lease: its token matches, the job still runs
            assertThat(store.extend(worker, new long[] {id}, new long[] {token}, Duration.ofSeconds(30)))
                    .extracting(PgStore.Extended::id).containsExactly(id);

            // the leader's step 2: bury(id, null token) in its own transaction
            Job dead = store.bury(leader, id, null, "{\"reason\":\"lease_expired\"}", true);
            leader.commit();
            leader.setAutoCommit(true);

            assertThat(dead).as("a job whose lease is valid again (extended by its live worker) is not buried").isNull();
            assertThat(store.complete(worker, new long[] {id}, new long[] {token}, true))
                    .as("the worker's success is stored").containsExactly(id);
        }
    }
}
