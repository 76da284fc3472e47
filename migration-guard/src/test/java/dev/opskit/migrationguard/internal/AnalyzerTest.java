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
}
