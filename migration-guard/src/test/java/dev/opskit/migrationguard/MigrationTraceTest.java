package dev.opskit.migrationguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opskit.core.testing.PostgresExtension;
import dev.opskit.core.testing.TestDatabase;
import dev.opskit.migrationguard.MigrationTrace.Mode;
import dev.opskit.migrationguard.MigrationTrace.TraceReport;
import dev.opskit.migrationguard.MigrationTrace.TracedStatement;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The trace on a real PostgreSQL 16: locks from pg_locks, rewrites from relfilenode. */
@ExtendWith(PostgresExtension.class)
class MigrationTraceTest {
    private static final MigrationScript V1 = new MigrationScript("V1__init.sql", """
            CREATE TABLE users (id int PRIMARY KEY, name text);
            INSERT INTO users SELECT g, 'user ' || g FROM generate_series(1, 50) g;
            ALTER TABLE users ADD COLUMN created_at timestamptz;
            """);
    private static final MigrationScript V2 = new MigrationScript("V2__change.sql", """
            SET lock_timeout = '2s';
            ALTER TABLE users ADD COLUMN active boolean NOT NULL DEFAULT true;
            ALTER TABLE users ALTER COLUMN id TYPE bigint;
            """);
    private static final MigrationScript V3 = new MigrationScript("V3__index.sql", """
            CREATE INDEX users_name ON users (name);
            CREATE INDEX CONCURRENTLY users_created ON users (created_at);
            """);

    private static TracedStatement step(TraceReport t, String file, int line) {
        return t.statements().stream().filter(s -> s.file().equals(file) && s.line() == line).findFirst().orElseThrow();
    }

    @Test
    void locksRewritesAndTimesPerStatementWithFindingsOnlyForTablesThatExistedBefore(TestDatabase db) throws SQLException {
        TestDatabase fresh = db.server().createDatabase("trace_commit");
        TraceReport t = MigrationTrace.create(GuardConfig.ofDefaults()).trace(fresh.dataSource(), List.of(V1, V2, V3), Mode.COMMIT);

        // V1 created users itself and holds its ACCESS EXCLUSIVE lock from CREATE on: nothing new, no finding
        assertThat(step(t, "V1__init.sql", 1).locks()).contains("users AccessExclusiveLock");
        assertThat(step(t, "V1__init.sql", 3).locks()).doesNotContain("users AccessExclusiveLock");
        assertThat(t.report().findings()).noneMatch(f -> f.file().equals("V1__init.sql"));

        TracedStatement addColumn = step(t, "V2__change.sql", 2);
        assertThat(addColumn.locks()).contains("users AccessExclusiveLock");
        assertThat(addColumn.rewrites()).as("a constant default is metadata only on PostgreSQL 11+").isEmpty();
        TracedStatement retype = step(t, "V2__change.sql", 3);
        assertThat(retype.rewrites()).contains("users");
        // in its own transaction (a later file), CREATE INDEX shows its SHARE lock: it blocks writes, not reads
        assertThat(step(t, "V3__index.sql", 1).locks()).contains("users ShareLock").doesNotContain("users AccessExclusiveLock");
        assertThat(step(t, "V3__index.sql", 2).notTraced()).contains("cannot run inside a transaction block");
        assertThat(t.statements()).filteredOn(s -> s.notTraced() == null).allMatch(s -> s.micros() >= 0);

        assertThat(t.report().findings()).extracting(f -> f.line() + " " + f.rule().id()).containsExactly(
                "2 trace-access-exclusive", "3 trace-table-rewrite");
        // the ACCESS EXCLUSIVE lock of line 2 is still held at line 3: a lock is reported where it is first taken
        assertThat(retype.locks()).doesNotContain("users AccessExclusiveLock");
        assertThat(t.report().findings().get(0).message()).contains("existing table users (50 rows) with lock_timeout 2s");
        assertThat(t.report().hasBlocking()).isTrue();
        assertThat(t.formatSteps()).contains("V2__change.sql:3:1: ALTER TABLE users ALTER COLUMN id TYPE bigint",
                "rewrote: users", "not traced: cannot run inside a transaction block");

        // COMMIT mode left the schema in place
        assertThat(count(fresh, "SELECT count(*) FROM pg_indexes WHERE indexname = 'users_name'")).isEqualTo(1);
        fresh.close();
    }

    @Test
    void rollbackModeLeavesTheDatabaseAsItWasAndFindsLocksOnTablesThatExistedBeforeTheTrace(TestDatabase db) throws SQLException {
        TestDatabase fresh = db.server().createDatabase("trace_rollback");
        fresh.execute("CREATE TABLE accounts (id bigint PRIMARY KEY, balance numeric); INSERT INTO accounts VALUES (1, 10);");
        MigrationScript m = new MigrationScript("V3__accounts.sql", """
                -- opskit:approve trace-table-rewrite by=alice reason="accounts has 3 rows in production"
                ALTER TABLE accounts ALTER COLUMN balance TYPE numeric(12, 2);
                CREATE TABLE audit (id bigint PRIMARY KEY);
                ALTER TABLE audit ADD COLUMN at timestamptz DEFAULT clock_timestamp();
                """);
        TraceReport t = MigrationTrace.create(GuardConfig.ofDefaults()).trace(fresh.dataSource(), List.of(m), Mode.ROLLBACK);
        assertThat(t.report().findings()).extracting(f -> f.line() + " " + f.rule().id() + " " + f.approved()).containsExactly(
                "2 trace-access-exclusive false", "2 trace-table-rewrite true");
        assertThat(t.report().findings().get(0).message()).contains("(1 row) with lock_timeout 0 (waits for the lock for ever");
        assertThat(step(t, "V3__accounts.sql", 4).rewrites()).as("audit was created by this run").contains("audit");
        assertThat(count(fresh, "SELECT count(*) FROM pg_tables WHERE tablename = 'audit'")).isZero();
        assertThat(count(fresh, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'accounts'"
                + " AND column_name = 'balance' AND numeric_precision = 12")).isZero();
        fresh.close();
    }

    @Test
    void aStatementPostgresRefusesEndsTheTraceNamingFileLineAndTheError(TestDatabase db) throws SQLException {
        TestDatabase fresh = db.server().createDatabase("trace_error");
        MigrationScript bad = new MigrationScript("V4__bad.sql", "CREATE TABLE t (id bigint);\nALTER TABLE nope ADD COLUMN x int;\n");
        assertThatThrownBy(() -> MigrationTrace.create(GuardConfig.ofDefaults()).trace(fresh.dataSource(), List.of(bad), Mode.COMMIT))
                .isInstanceOf(MigrationGuardException.class)
                .hasMessageContaining("V4__bad.sql:2:1: PostgreSQL refused the statement (42P01)")
                .hasMessageContaining("relation \"nope\" does not exist");
        assertThat(count(fresh, "SELECT count(*) FROM pg_tables WHERE tablename = 't'")).as("the failed file is rolled back").isZero();
        fresh.close();
    }

    private static long count(TestDatabase db, String sql) throws SQLException {
        try (Connection c = db.dataSource().getConnection(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
