package dev.opskit.migrationguard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FormatsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SQL = """
            -- opskit:approve truncate by=alice,bob reason="staging \\"only\\", OPS-7"
            TRUNCATE orders;
            ALTER TABLE users
              DROP COLUMN legacy;
            CREATE TABLE t (id bigint PRIMARY KEY, s varchar(20));
            """;

    private static Report report() {
        return MigrationGuard.create(GuardConfig.ofDefaults()).checkSql("db/migration/V3__mixed.sql", SQL);
    }

    @Test
    void jsonHasFindingsWithPositionsRuleSeverityApprovalAndStatementAndASummary() throws Exception {
        JsonNode root = JSON.readTree(report().format(OutputFormat.JSON));
        JsonNode findings = root.get("findings");
        assertThat(findings.isArray()).isTrue();
        JsonNode drop = null;
        JsonNode truncate = null;
        for (JsonNode f : findings) {
            for (String field : new String[] {"file", "line", "column", "rule", "severity", "message", "approved", "statement"}) {
                assertThat(f.has(field)).as(field).isTrue();
            }
            assertThat(f.get("severity").asText()).isIn("blocking", "warning");
            if (f.get("rule").asText().equals("drop-column")) {
                drop = f;
            }
            if (f.get("rule").asText().equals("truncate")) {
                truncate = f;
            }
        }
        assertThat(drop).isNotNull();
        assertThat(drop.get("line").asInt()).isEqualTo(3);
        assertThat(drop.get("column").asInt()).isEqualTo(1);
        assertThat(drop.get("severity").asText()).isEqualTo("blocking");
        assertThat(drop.get("approved").asBoolean()).isFalse();
        assertThat(drop.get("statement").asText()).isEqualTo("ALTER TABLE users\n  DROP COLUMN legacy");
        assertThat(drop.get("message").asText()).contains("Instead:");
        assertThat(truncate.get("approved").asBoolean()).isTrue();
        assertThat(root.get("summary").get("blocking").asInt()).isEqualTo(report().blocking().size());
        assertThat(root.get("summary").get("passed").asBoolean()).isFalse();
    }

    @Test
    void sarifHasTheShapeGitHubCodeScanningRequires() throws Exception {
        JsonNode root = JSON.readTree(report().format(OutputFormat.SARIF));
        assertThat(root.get("version").asText()).isEqualTo("2.1.0");
        assertThat(root.get("$schema").asText()).contains("sarif");
        JsonNode run = root.get("runs").get(0);
        JsonNode driver = run.get("tool").get("driver");
        assertThat(driver.get("name").asText()).isEqualTo("opskit-migration-guard");
        Set<String> ruleIds = new HashSet<>();
        for (JsonNode r : driver.get("rules")) {
            ruleIds.add(r.get("id").asText());
            assertThat(r.get("shortDescription").get("text").asText()).isNotBlank();
            assertThat(r.get("defaultConfiguration").get("level").asText()).isIn("error", "warning");
        }
        assertThat(ruleIds).hasSize(Rule.values().length);
        JsonNode results = run.get("results");
        assertThat(results.size()).isEqualTo(report().findings().size());
        for (JsonNode res : results) {
            assertThat(ruleIds).contains(res.get("ruleId").asText());
            assertThat(driver.get("rules").get(res.get("ruleIndex").asInt()).get("id").asText()).isEqualTo(res.get("ruleId").asText());
            assertThat(res.get("level").asText()).isIn("error", "warning", "note");
            assertThat(res.get("message").get("text").asText()).isNotBlank();
            JsonNode loc = res.get("locations").get(0).get("physicalLocation");
            assertThat(loc.get("artifactLocation").get("uri").asText()).isEqualTo("db/migration/V3__mixed.sql");
            assertThat(loc.get("region").get("startLine").asInt()).isPositive();
            assertThat(loc.get("region").get("startColumn").asInt()).isPositive();
            if (res.get("ruleId").asText().equals("truncate")) {
                assertThat(res.get("suppressions").get(0).get("kind").asText()).isEqualTo("inSource");
            }
        }
    }

    @Test
    void githubFormatPrintsWorkflowCommandsWithEscaping() {
        String out = report().format(OutputFormat.GITHUB);
        assertThat(out).contains("::error file=db/migration/V3__mixed.sql,line=3,col=1,title=drop-column::Dropping column users.legacy");
        assertThat(out).contains("::notice file=db/migration/V3__mixed.sql,line=2,col=1,title=truncate (approved)::");
        assertThat(out).contains("::warning file=db/migration/V3__mixed.sql,line=5,col=1,title=prefer-text::");
        assertThat(out.lines().filter(l -> l.startsWith("::"))).allMatch(l -> !l.contains("\r"));
    }

    @Test
    void textFormatShowsPositionRuleStatementAndHowToApprove() {
        String out = report().format(OutputFormat.TEXT);
        assertThat(out).contains("db/migration/V3__mixed.sql:3:1: blocking [drop-column] Dropping column users.legacy");
        assertThat(out).contains("    approve: drop-column ");
        assertThat(out).contains("approved [truncate]").contains("(approved by alice, bob)");
        assertThat(out).contains("FAILED: 1 file(s), 3 statement(s)");
    }
}
