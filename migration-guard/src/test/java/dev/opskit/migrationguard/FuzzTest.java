package dev.opskit.migrationguard;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** No input makes the guard throw: random bytes, token soups, huge and empty files. Fixed seeds. */
class FuzzTest {
    private static final List<String> SOUP = List.of("ALTER", "TABLE", "DROP", "COLUMN", "CREATE", "INDEX",
            "CONCURRENTLY", "ON", "users", "(", ")", ",", ";", "'", "''", "E'", "\\'", "$$", "$a$", "$1", "\"", "--",
            "/*", "*/", "BEGIN", "ATOMIC", "END", "DO", "EXECUTE", "IF", "THEN", "LOOP", "CASE", "WHEN", "SET", "NOT",
            "NULL", "DEFAULT", "random()", "ADD", "CONSTRAINT", "CHECK", "FOREIGN", "KEY", "REFERENCES", "VALID",
            "VALIDATE", "RENAME", "TO", "TYPE", "U&'", "U&\"", "::", ".", "*", "\n", " ", "\t", "opskit:approve",
            "by=a,b", "reason=\"", "WITH", "AS", "DELETE", "UPDATE", "WHERE", "TRUNCATE", "VACUUM", "FULL", "LANGUAGE",
            "plpgsql", "x", "0x", "1e", "<<", ">>", "DECLARE", "ELSE", "ELSIF", "PARTITION", "DETACH", "REINDEX");

    @TempDir
    Path dir;

    private static void checkNeverThrows(String sql) {
        Report r = MigrationGuard.create(GuardConfig.ofDefaults()).checkSql("fuzz.sql", sql);
        for (OutputFormat f : OutputFormat.values()) {
            assertThat(r.format(f)).isNotNull();
        }
        r.findings().forEach(f -> assertThat(f.line()).isPositive());
    }

    @Test
    void randomBytesNeverThrow() throws Exception {
        Random random = new Random(42);
        for (int i = 0; i < 300; i++) {
            byte[] bytes = new byte[random.nextInt(400)];
            random.nextBytes(bytes);
            Path p = dir.resolve("V" + i + "__fuzz.sql");
            Files.write(p, bytes);
            MigrationGuard.check(p).format(OutputFormat.SARIF);
            checkNeverThrows(new String(bytes, StandardCharsets.ISO_8859_1));
        }
    }

    @Test
    void tokenSoupsNeverThrow() {
        Random random = new Random(7);
        for (int i = 0; i < 700; i++) {
            StringBuilder sb = new StringBuilder();
            int n = random.nextInt(60);
            for (int k = 0; k < n; k++) {
                sb.append(SOUP.get(random.nextInt(SOUP.size()))).append(random.nextInt(4) == 0 ? "" : " ");
            }
            checkNeverThrows(sb.toString());
            checkNeverThrows("DO $$ " + sb + " $$;");
        }
    }

    @Test
    void emptyAndBlankFilesGiveNoFindings() {
        for (String s : List.of("", " ", "\n\n", ";;;", "-- only a comment", "/* c */")) {
            Report r = MigrationGuard.create(GuardConfig.ofDefaults()).checkSql("e.sql", s);
            assertThat(r.findings()).as(s).isEmpty();
        }
    }

    @Test
    void multiMegabyteFilesAreCheckedAndAnUnterminatedQuoteIsReportedWithItsPosition() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 40_000; i++) {
            sb.append("INSERT INTO t (a, b) VALUES (").append(i).append(", 'some text value number ").append(i).append("');\n");
        }
        sb.append("SELECT $body$ never closed");
        assertThat(sb.length()).isGreaterThan(2_000_000);
        Report r = MigrationGuard.create(GuardConfig.ofDefaults()).checkSql("big.sql", sb.toString());
        assertThat(r.statements()).isEqualTo(40_001);
        assertThat(r.findings()).singleElement().satisfies(f -> {
            assertThat(f.rule()).isEqualTo(Rule.SYNTAX_ERROR);
            assertThat(f.line()).isEqualTo(40_001);
            assertThat(f.message()).contains("unterminated dollar-quoted string $body$");
        });
    }

    @Test
    void deeplyNestedParenthesesDoNotOverflow() {
        checkNeverThrows("SELECT " + "(".repeat(200_000) + "1" + ")".repeat(200_000) + ";");
        checkNeverThrows("DO $$ BEGIN EXECUTE 'DO $x$ BEGIN EXECUTE ''DO $y$ BEGIN DROP TABLE t; END $y$''; END $x$'; END $$;");
    }

    @Test
    void aByteOrderMarkAndWindowsLineEndingsAreHarmless() {
        Report r = MigrationGuard.create(GuardConfig.ofDefaults()).checkSql("bom.sql",
                "\uFEFFCREATE TABLE t (id bigint PRIMARY KEY);\r\n-- opskit:approve drop-table by=a,b reason=\"x\"\r\nDROP TABLE old;\r\n");
        assertThat(r.findings()).extracting(f -> f.rule().id() + "@" + f.line() + ":" + f.column() + ":" + f.approved())
                .contains("drop-table@3:1:true").noneMatch(s -> s.startsWith("unparsed"));
    }

    @Test
    void invalidUtf8IsASyntaxErrorWithPosition() throws Exception {
        Path p = dir.resolve("V1__latin1.sql");
        Files.write(p, "SELECT 1;\nSELECT 'caf\u00e9';\n".getBytes(StandardCharsets.ISO_8859_1));
        Report r = MigrationGuard.check(p);
        assertThat(r.findings()).singleElement().satisfies(f -> {
            assertThat(f.rule()).isEqualTo(Rule.SYNTAX_ERROR);
            assertThat(f.line()).isEqualTo(2);
            assertThat(f.column()).isEqualTo(12);
        });
    }
}
