package dev.opskit.jobqueue;

import dev.opskit.core.testing.PostgresExtension;
import dev.opskit.core.testing.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

/**
 * The set-up that the tests of the PostgreSQL queue share: the class's own database on the test
 * JVM's one server (core's {@link PostgresExtension}), the queue's schema installed in it, and the
 * job tables emptied before each test. A class that needs other tables emptied overrides
 * {@link #empty()} (JUnit then runs only the override).
 */
@ExtendWith(PostgresExtension.class)
abstract class PostgresQueueTestBase {
    final TestDatabase db;
    /** A queue with the default settings, made anew for each test (JUnit makes an instance per test). */
    final PostgresJobQueue queue;

    PostgresQueueTestBase(TestDatabase db) {
        this.db = db;
        this.queue = PostgresJobQueue.builder(db.dataSource()).build();
        queue.installSchema();
    }

    @BeforeEach
    void empty() {
        db.execute("TRUNCATE opskit.jobs, opskit.finished_jobs, opskit.dead_letters CASCADE");
    }

    /** The number in the first column of the first row {@code sql} selects (a count, an id, a token). */
    long count(String sql) {
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (Exception e) {
            throw new AssertionError(sql, e);
        }
    }
}
