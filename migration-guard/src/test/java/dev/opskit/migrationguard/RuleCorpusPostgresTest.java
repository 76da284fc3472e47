package dev.opskit.migrationguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.opskit.core.testing.PostgresExtension;
import dev.opskit.core.testing.TestDatabase;
import dev.opskit.migrationguard.internal.Lexer;
import dev.opskit.migrationguard.internal.Splitter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The rule corpus is valid SQL: every statement of every case runs on a real PostgreSQL 16.
 *
 * <p>Each case runs in a transaction that is rolled back, after creating {@code fixture.sql} in the
 * same transaction. Statements that PostgreSQL refuses inside a transaction block (SQLSTATE 25001):
 * those with CONCURRENTLY are run again with CONCURRENTLY removed (so the rest of the statement is
 * still parsed and executed); VACUUM and DROP DATABASE run outside a transaction in a scratch
 * database holding the same fixture, committed. COMMIT/END/ROLLBACK/ABORT (which would end the
 * test's transaction) also run in the scratch database, where they parse and do nothing.
 */
@ExtendWith(PostgresExtension.class)
class RuleCorpusPostgresTest {
    private static TestDatabase scratch;
    private static String fixture;
    private static Connection conn;
    private static Connection scratchConn;

    @BeforeAll
    static void createScratchDatabase(TestDatabase db) throws SQLException {
        fixture = Corpus.resource("fixture.sql");
        scratch = db.server().createDatabase("mgscratch");
        String committed = fixture.lines().filter(l -> !l.contains("mg_app")).collect(Collectors.joining("\n"));
        scratch.execute(committed);
        conn = db.dataSource().getConnection();
        conn.setAutoCommit(false);
        scratchConn = scratch.dataSource().getConnection();
    }

    @AfterAll
    static void dropScratchDatabase() throws SQLException {
        if (conn != null) {
            conn.close();
            scratchConn.close();
        }
        if (scratch != null) {
            scratch.close();
        }
    }

    static Stream<Corpus.Case> cases() {
        return Corpus.cases().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void everyStatementOfTheCorpusIsAcceptedByPostgres(Corpus.Case c) throws SQLException {
        List<String> statements = Splitter.split(c.sql(), Lexer.lex(c.sql())).stream()
                .map(dev.opskit.migrationguard.internal.Statement::text).toList();
        assertThat(statements).as("statements of %s", c).isNotEmpty();
        try {
            try (Statement st = conn.createStatement()) {
                st.execute(fixture);
            }
            for (String sql : statements) {
                String first = sql.strip().split("\\s+")[0].toUpperCase(Locale.ROOT);
                if (List.of("COMMIT", "END", "ROLLBACK", "ABORT").contains(first)) {
                    runInScratch(c, sql);
                    continue;
                }
                Savepoint sp = conn.setSavepoint();
                try (Statement st = conn.createStatement()) {
                    st.execute(sql);
                    conn.releaseSavepoint(sp);
                } catch (SQLException e) {
                    if (!"25001".equals(e.getSQLState())) {
                        fail("PostgreSQL rejected a statement of " + c + ": " + e.getMessage() + "\n" + sql);
                    }
                    conn.rollback(sp);
                    String stripped = sql.replaceAll("(?i)\\bCONCURRENTLY\\b", "");
                    if (!stripped.equals(sql)) {
                        try (Statement st = conn.createStatement()) {
                            st.execute(stripped);
                        } catch (SQLException e2) {
                            fail("PostgreSQL rejected " + c + " (CONCURRENTLY removed): " + e2.getMessage() + "\n" + stripped);
                        }
                    } else {
                        runInScratch(c, sql);
                    }
                }
            }
        } finally {
            conn.rollback();
        }
    }

    private static void runInScratch(Corpus.Case c, String sql) {
        try (Statement st = scratchConn.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            fail("PostgreSQL rejected a statement of " + c + " outside a transaction: " + e.getMessage() + "\n" + sql);
        }
    }
}
