package dev.opskit.core.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped alert rules and dashboard: promtool checks the rules and runs their unit tests
 * (required in CI, where .ci/run installs Debian's prometheus package and sets
 * OPSKIT_REQUIRE_PROMTOOL; skipped on a machine without promtool); the dashboard is valid JSON
 * whose every panel queries an opskit metric. That those metric names are the ones the code
 * publishes is checked against a live /metrics scrape by the examples' end-to-end test.
 */
class OpsArtifactsTest {
    @TempDir
    Path dir;

    static String resource(String name) throws Exception {
        try (InputStream in = OpsArtifactsTest.class.getResourceAsStream("/dev/opskit/ops/" + name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String promtool() {
        for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path p = Path.of(d, "promtool");
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }

    private String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", cmd) + "\n" + out).isZero();
        return out;
    }

    @Test
    void promtoolAcceptsTheRulesAndTheirUnitTestsPass() throws Exception {
        String promtool = promtool();
        if (System.getenv("OPSKIT_REQUIRE_PROMTOOL") != null) {
            assertThat(promtool).as("promtool on PATH (.ci/run installs Debian's prometheus package)").isNotNull();
        }
        assumeTrue(promtool != null, "promtool is not installed here");
        Files.writeString(dir.resolve("opskit-alerts.yml"), resource("opskit-alerts.yml"));
        Files.writeString(dir.resolve("opskit-alerts.test.yml"), resource("opskit-alerts.test.yml"));
        // promtool must have read every alert the file declares (a rule it skipped would not count)
        long declared = resource("opskit-alerts.yml").lines().filter(l -> l.strip().startsWith("- alert: ")).count();
        assertThat(declared).isGreaterThanOrEqualTo(11);
        assertThat(run(promtool, "check", "rules", "opskit-alerts.yml")).contains("SUCCESS: " + declared + " rules found");
        assertThat(run(promtool, "test", "rules", "opskit-alerts.test.yml")).contains("SUCCESS");
    }

    @Test
    void everyDashboardPanelQueriesAnOpskitMetric() throws Exception {
        JsonNode d = new ObjectMapper().readTree(resource("opskit-dashboard.json"));
        assertThat(d.path("uid").asText()).isEqualTo("opskit");
        List<String> titles = new ArrayList<>();
        for (JsonNode panel : d.path("panels")) {
            titles.add(panel.path("title").asText());
            assertThat(panel.path("targets")).as(panel.path("title").asText()).isNotEmpty();
            for (JsonNode t : panel.path("targets")) {
                assertThat(t.path("expr").asText()).matches(".*opskit_[a-z_]+.*");
            }
        }
        assertThat(titles).doesNotHaveDuplicates()
                .contains("Dead letters waiting", "Oldest due job waiting", "Migration gate checks (blocked and passed, per hour)");
    }
}
