package dev.opskit.migrationguard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opskit.migrationguard.Rule;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnalyzerTest {

    private static List<RawFinding> analyze(String sql) {
        Analyzer a = new Analyzer("m.sql", false);
        a.analyzeFile(sql);
        return a.findings();
    }

    @Test
    void findingsCarryTheStatementsLineAndColumn() {
        List<RawFinding> f = analyze("SELECT 1;\n\n   DROP TABLE users;");
        assertThat(f).extracting(RawFinding::rule)
                .containsExactly(Rule.DROP_TABLE, Rule.REQUIRE_LOCK_TIMEOUT, Rule.REQUIRE_STATEMENT_TIMEOUT);
        assertThat(f).first().satisfies(x -> {
            assertThat(x.rule()).isEqualTo(Rule.DROP_TABLE);
            assertThat(x.line()).isEqualTo(3);
            assertThat(x.column()).isEqualTo(4);
            assertThat(x.file()).isEqualTo("m.sql");
        });
    }

    @Test
    void ddlInsideDoBlocksIsCheckedWithPositionsInTheFile() {
        String sql = "SET lock_timeout = '1s'; SET statement_timeout = '1min';\n"
                + "DO $$\nBEGIN\n  IF true THEN\n    ALTER TABLE users DROP COLUMN legacy;\n  END IF;\nEND $$;";
        List<RawFinding> f = analyze(sql);
        assertThat(f).extracting(RawFinding::rule).containsExactly(Rule.DROP_COLUMN);
        assertThat(f.get(0).line()).isEqualTo(5);
        assertThat(f.get(0).column()).isEqualTo(5);
        assertThat(f.get(0).statement().text()).isEqualTo("ALTER TABLE users DROP COLUMN legacy");
    }

    @Test
    void executeOfALiteralStringIsCheckedAtTheStringsPosition() {
        String sql = "SET lock_timeout = '1s'; SET statement_timeout = '1min';\n"
                + "DO $$ BEGIN EXECUTE 'TRUNCATE orders'; END $$;";
        List<RawFinding> f = analyze(sql);
        assertThat(f).extracting(RawFinding::rule).containsExactly(Rule.TRUNCATE);
        assertThat(f.get(0).line()).isEqualTo(2);
        assertThat(f.get(0).column()).isEqualTo(22);
    }

    @Test
    void unterminatedInputIsASyntaxErrorWithItsPosition() {
        List<RawFinding> f = analyze("SELECT 1;\nDROP TABLE x WHERE y = 'oops;\nSELECT 2;");
        assertThat(f).extracting(RawFinding::rule).containsExactly(Rule.SYNTAX_ERROR);
        assertThat(f.get(0).line()).isEqualTo(2);
        assertThat(f.get(0).message()).contains("unterminated string starting at line 2, column 24");
    }

    @Test
    void unknownStatementsAreReportedNotPassed() {
        List<RawFinding> f = analyze("FROBNICATE users;\n\\connect other");
        assertThat(f).extracting(RawFinding::rule).containsExactly(Rule.UNPARSED_STATEMENT, Rule.UNPARSED_STATEMENT);
        assertThat(f.get(1).line()).isEqualTo(2);
    }

    @Test
    void tablesCreatedInTheSameFileNeedNoCare() {
        List<RawFinding> f = analyze("""
                CREATE TABLE t (id bigint PRIMARY KEY, x text);
                CREATE INDEX t_x ON t (x);
                ALTER TABLE t ALTER COLUMN x SET NOT NULL, ADD CONSTRAINT c CHECK (x <> '');
                ALTER TABLE t ADD CONSTRAINT u UNIQUE (x);
                DROP INDEX t_x;
                """);
        assertThat(f).isEmpty();
    }

    @Test
    void setLocalLockTimeoutEndsWithTheTransaction() {
        List<RawFinding> f = analyze("""
                BEGIN;
                SET LOCAL lock_timeout = '2s';
                SET statement_timeout = '1min';
                ALTER TABLE a ADD COLUMN b text;
                COMMIT;
                ALTER TABLE a ADD COLUMN c text;
                """);
        assertThat(f).extracting(RawFinding::rule).containsExactly(Rule.REQUIRE_LOCK_TIMEOUT);
        assertThat(f.get(0).line()).isEqualTo(6);
    }

    @Test
    void aParameterNamedBeginDoesNotSwallowTheNextStatement() {
        List<RawFinding> f = analyze("""
                CREATE FUNCTION f(begin int) RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;
                DROP TABLE users;
                """);
        assertThat(f).extracting(RawFinding::rule).contains(Rule.DROP_TABLE);
        assertThat(f).filteredOn(x -> x.rule() == Rule.DROP_TABLE).first()
                .satisfies(x -> assertThat(x.line()).isEqualTo(2));
    }

    @Test
    void aBeginAtomicBodyIsOneStatement() {
        List<RawFinding> f = analyze("""
                CREATE FUNCTION g() RETURNS int LANGUAGE sql
                BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; DELETE FROM audit; END;
                DROP TABLE users;
                """);
        assertThat(f).extracting(RawFinding::rule).contains(Rule.DROP_TABLE).doesNotContain(Rule.DELETE_WITHOUT_WHERE);
    }

    @Test
    void createIfNotExistsDoesNotMakeAnExistingTableNew() {
        List<RawFinding> f = analyze("""
                SET lock_timeout = '1s'; SET statement_timeout = '1min';
                CREATE TABLE IF NOT EXISTS users (id bigint PRIMARY KEY);
                CREATE SEQUENCE IF NOT EXISTS user_ids;
                CREATE INDEX IF NOT EXISTS users_id ON users (id);
                ALTER TABLE users DROP COLUMN email;
                DROP INDEX users_id;
                DROP SEQUENCE user_ids;
                TRUNCATE users;
                """);
        assertThat(f).extracting(RawFinding::rule).contains(Rule.DROP_COLUMN, Rule.CREATE_INDEX_NON_CONCURRENTLY,
                Rule.DROP_INDEX_NON_CONCURRENTLY, Rule.DROP_SEQUENCE, Rule.TRUNCATE);
    }

    @Test
    void aTableCreatedInOneSchemaDoesNotMakeTheSameNameInAnotherSchemaNew() {
        List<RawFinding> f = analyze("""
                CREATE TABLE scratch.users (id bigint PRIMARY KEY);
                DROP TABLE public.users;
                ALTER TABLE scratch.users RENAME TO old_users;
                DROP TABLE scratch.old_users;
                """);
        assertThat(f).extracting(RawFinding::rule).containsOnlyOnce(Rule.DROP_TABLE);
        assertThat(f).filteredOn(x -> x.rule() == Rule.DROP_TABLE).first()
                .satisfies(x -> assertThat(x.line()).isEqualTo(2));
    }

    @Test
    void statementsThatPrepareOrExplainAnalyzeAreChecked() {
        List<RawFinding> f = analyze("""
                PREPARE wipe AS DELETE FROM users;
                EXECUTE wipe;
                EXPLAIN ANALYZE UPDATE orders SET total = 0;
                EXPLAIN (ANALYZE, BUFFERS) DELETE FROM carts;
                EXPLAIN (ANALYZE false) DELETE FROM sessions;
                EXPLAIN DELETE FROM sessions;
                """);
        assertThat(f).extracting(RawFinding::rule, RawFinding::line).containsExactly(
                org.assertj.core.groups.Tuple.tuple(Rule.DELETE_WITHOUT_WHERE, 1),
                org.assertj.core.groups.Tuple.tuple(Rule.UPDATE_WITHOUT_WHERE, 3),
                org.assertj.core.groups.Tuple.tuple(Rule.DELETE_WITHOUT_WHERE, 4));
    }

    @Test
    void deeplyNestedStatementsAreReportedInsteadOfOverflowingTheStack() {
        List<RawFinding> with = analyze("WITH a AS (SELECT 1) ".repeat(100_000) + "SELECT 1;");
        List<RawFinding> explain = analyze("EXPLAIN ANALYZE ".repeat(100_000) + "SELECT 1;");
        assertThat(with).extracting(RawFinding::rule).containsExactly(Rule.UNPARSED_STATEMENT);
        assertThat(explain).extracting(RawFinding::rule).containsExactly(Rule.UNPARSED_STATEMENT);
        assertThat(analyze("WITH a AS (SELECT 1) ".repeat(3) + "DELETE FROM users;"))
                .extracting(RawFinding::rule).containsExactly(Rule.DELETE_WITHOUT_WHERE);
    }

    @Test
    void oneDropColumnFindingNamesEveryColumnTheStatementDrops() {
        List<RawFinding> f = analyze("""
                SET lock_timeout = '1s'; SET statement_timeout = '1min';
                ALTER TABLE users DROP COLUMN a, ADD COLUMN c text, DROP IF EXISTS "B" CASCADE;
                ALTER TABLE users DROP COLUMN d;
                """);
        assertThat(f).filteredOn(x -> x.rule() == Rule.DROP_COLUMN).extracting(RawFinding::message)
                .satisfiesExactly(
                        m -> assertThat(m).startsWith("Dropping columns users.a, users.B deletes their data"),
                        m -> assertThat(m).startsWith("Dropping column users.d deletes its data"));
    }

    private static List<Rule> rules(String sql) {
        return analyze("SET lock_timeout = '1s'; SET statement_timeout = '1min';\n" + sql).stream()
                .map(RawFinding::rule).toList();
    }

    @Test
    void theCharTypeWithALengthIsBannedWhereverATypeNameCanStand() {
        // Forms PostgreSQL itself refuses or that cannot run in the corpus's transaction.
        assertThat(rules("CREATE TABLE t (c \"char\"(10));")).contains(Rule.BAN_CHAR);
        assertThat(rules("CREATE TABLE t (c \"char\");")).doesNotContain(Rule.BAN_CHAR);
        assertThat(rules("ALTER TABLE users ALTER COLUMN status SET DATA TYPE pg_catalog.bpchar(2);")).contains(Rule.BAN_CHAR);
        assertThat(rules("ALTER TABLE users ADD COLUMN c CHAR (2);")).contains(Rule.BAN_CHAR);
        assertThat(rules("CREATE TABLE t (c varchar(2), d text, e character varying(5));")).doesNotContain(Rule.BAN_CHAR);
        // A cast in a query that changes no schema is not a column type.
        assertThat(rules("UPDATE users SET status = 'x' WHERE name::char(1) = 'a';")).doesNotContain(Rule.BAN_CHAR);
    }

    @Test
    void reindexWithTheConcurrentlyOptionReadsTheOptionsValue() {
        assertThat(rules("REINDEX (CONCURRENTLY) INDEX users_email_idx;")).doesNotContain(Rule.REINDEX_NON_CONCURRENTLY);
        assertThat(rules("REINDEX (CONCURRENTLY true) INDEX users_email_idx;")).doesNotContain(Rule.REINDEX_NON_CONCURRENTLY);
        assertThat(rules("REINDEX (CONCURRENTLY 1) INDEX users_email_idx;")).doesNotContain(Rule.REINDEX_NON_CONCURRENTLY);
        assertThat(rules("REINDEX (CONCURRENTLY FALSE) INDEX users_email_idx;")).contains(Rule.REINDEX_NON_CONCURRENTLY);
        assertThat(rules("REINDEX (CONCURRENTLY 0) INDEX users_email_idx;")).contains(Rule.REINDEX_NON_CONCURRENTLY);
        assertThat(rules("REINDEX (TABLESPACE fast, CONCURRENTLY no) INDEX users_email_idx;")).contains(Rule.REINDEX_NON_CONCURRENTLY);
        assertThat(analyze("REINDEX (CONCURRENTLY) INDEX users_email_idx;")).extracting(RawFinding::rule)
                .doesNotContain(Rule.REQUIRE_LOCK_TIMEOUT);
        assertThat(analyze("REINDEX (CONCURRENTLY false) INDEX users_email_idx;")).extracting(RawFinding::rule)
                .contains(Rule.REINDEX_NON_CONCURRENTLY, Rule.REQUIRE_LOCK_TIMEOUT, Rule.REQUIRE_STATEMENT_TIMEOUT);
    }

    @Test
    void aNotNullCheckProvesTheColumnOnlyWhileItIsValidAndExists() {
        assertThat(rules("""
                ALTER TABLE users ADD CONSTRAINT c CHECK (email IS NOT NULL) NOT VALID;
                ALTER TABLE users VALIDATE CONSTRAINT c;
                ALTER TABLE users ALTER COLUMN email SET NOT NULL;
                """)).doesNotContain(Rule.SET_NOT_NULL);
        // The proof is per table: the same column name on another table is not proven.
        assertThat(rules("""
                ALTER TABLE users ADD CONSTRAINT c CHECK (email IS NOT NULL);
                ALTER TABLE accounts ALTER COLUMN email SET NOT NULL;
                """)).contains(Rule.SET_NOT_NULL);
        // OR does not prove the column is never null.
        assertThat(rules("""
                ALTER TABLE users ADD CONSTRAINT c CHECK (email IS NOT NULL OR name IS NOT NULL);
                ALTER TABLE users ALTER COLUMN email SET NOT NULL;
                """)).contains(Rule.SET_NOT_NULL);
        assertThat(rules("""
                ALTER TABLE users ADD CONSTRAINT c CHECK (email IS NOT NULL);
                ALTER TABLE users DROP CONSTRAINT IF EXISTS c;
                ALTER TABLE users ALTER COLUMN email SET NOT NULL;
                """)).contains(Rule.SET_NOT_NULL);
    }

    @Test
    void aCommitOrRollbackWithNoTransactionOpenIsTransactionNesting() {
        assertThat(rules("BEGIN; SELECT 1; COMMIT; END;")).containsOnlyOnce(Rule.TRANSACTION_NESTING);
        assertThat(rules("ROLLBACK;")).contains(Rule.TRANSACTION_NESTING);
        assertThat(rules("BEGIN; SELECT 1; ROLLBACK; BEGIN; SELECT 2; COMMIT;")).doesNotContain(Rule.TRANSACTION_NESTING);
        // Not in the corpus: the PostgreSQL test runs COMMIT/ROLLBACK outside its transaction.
        assertThat(rules("BEGIN; SELECT 1; COMMIT AND CHAIN; SELECT 2; COMMIT;")).doesNotContain(Rule.TRANSACTION_NESTING);
        assertThat(rules("BEGIN; SELECT 1; COMMIT AND NO CHAIN; COMMIT;")).contains(Rule.TRANSACTION_NESTING);
        assertThat(rules("BEGIN; SAVEPOINT a; SELECT 1; ROLLBACK TO SAVEPOINT a; COMMIT;")).doesNotContain(Rule.TRANSACTION_NESTING);
        assertThat(rules("BEGIN; SELECT 1; PREPARE TRANSACTION 'm1'; COMMIT;")).contains(Rule.TRANSACTION_NESTING);
        // Transaction control inside a procedure body is the procedure's own affair.
        assertThat(rules("DO $$ BEGIN COMMIT; END $$;")).doesNotContain(Rule.TRANSACTION_NESTING);
    }
}
