package dev.opskit.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.opskit.core.health.HealthResult;
import dev.opskit.health.testing.ControllableCheck;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HealthEndpointTest {
    private static final String TOKEN = "s3cret-token-for-tests";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HealthRegistry health = HealthRegistry.builder().deadlockCheck(false).build();
    private final ControllableCheck db = ControllableCheck.create().up(Map.of("latencyMs", 3));
    private final ControllableCheck breaker = ControllableCheck.create().degraded("OPEN");

    HealthEndpointTest() {
        health.register("db", db);
        health.register("breaker.openai", breaker, CheckOptions.readiness().critical(false));
        health.register("ping", ControllableCheck.create(), CheckOptions.liveness());
    }

    @AfterEach
    void close() {
        health.close();
    }

    private HealthEndpoint endpoint() {
        return HealthEndpoint.builder(health).bearerToken(TOKEN).build();
    }

    private static JsonNode json(EndpointResponse r) throws Exception {
        return JSON.readTree(r.body());
    }

    private static EndpointRequest authorized(String pathAndQuery) {
        return EndpointRequest.of("GET", pathAndQuery, Map.of("Authorization", "Bearer " + TOKEN));
    }

    @Test
    void healthAnswersJsonWithStatusTimestampUptimeAndTheChecks() throws Exception {
        EndpointResponse r = endpoint().handle(EndpointRequest.get("/health"));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.contentType()).isEqualTo("application/json");
        assertThat(r.headers()).containsEntry("Cache-Control", "no-store");
        JsonNode body = json(r);
        assertThat(body.get("status").asText()).isEqualTo("DEGRADED");
        assertThat(Instant.parse(body.get("timestamp").asText())).isNotNull();
        assertThat(body.get("timestamp").asText()).endsWith("Z");
        assertThat(body.get("uptimeMs").asLong()).isPositive();
        assertThat(body.get("uptime").asText()).startsWith("PT");
        assertThat(body.get("checks").get("db").get("status").asText()).isEqualTo("UP");
        assertThat(body.get("checks").get("breaker.openai").get("status").asText()).isEqualTo("DEGRADED");
        assertThat(body.get("checks").get("ping").get("status").asText()).isEqualTo("UP");
    }

    @Test
    void withoutTheTokenARequestSeesStatusesButNoDetails() throws Exception {
        db.throwing(new java.sql.SQLException("password authentication failed for user \"app\""));

        JsonNode body = json(endpoint().handle(EndpointRequest.get("/health/ready")));

        JsonNode check = body.get("checks").get("db");
        assertThat(check.get("status").asText()).isEqualTo("DOWN");
        assertThat(check.has("error")).isFalse();
        assertThat(check.has("details")).isFalse();
        assertThat(body.toString()).doesNotContain("password");
    }

    @Test
    void withTheTokenARequestSeesDetailsErrorsAndHistoryButNeverAStackTrace() throws Exception {
        db.throwing(new java.sql.SQLException("connection refused"));

        EndpointResponse r = endpoint().handle(authorized("/health/ready"));

        assertThat(r.status()).isEqualTo(503);
        JsonNode check = json(r).get("checks").get("db");
        assertThat(check.get("error").get("type").asText()).isEqualTo("java.sql.SQLException");
        assertThat(check.get("error").get("message").asText()).isEqualTo("connection refused");
        assertThat(check.get("consecutiveFailures").asInt()).isEqualTo(1);
        assertThat(check.get("lastFailure").asText()).endsWith("Z");
        assertThat(check.get("critical").asBoolean()).isTrue();
        assertThat(check.has("durationMs")).isTrue();
        assertThat(r.bodyAsString()).doesNotContain("at dev.opskit").doesNotContain("Exception:");
    }

    @Test
    void aWrongTokenIsRefusedAndDetailsCanBeTurnedOnOrOffForEveryone() throws Exception {
        EndpointResponse wrong = endpoint().handle(EndpointRequest.of("GET", "/health", Map.of("Authorization", "Bearer nope")));
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.headers()).containsEntry("WWW-Authenticate", "Bearer");

        JsonNode always = json(HealthEndpoint.builder(health).details(DetailsVisibility.ALWAYS).build()
                .handle(EndpointRequest.get("/health")));
        assertThat(always.get("checks").get("db").get("details").get("latencyMs").asInt()).isEqualTo(3);

        JsonNode never = json(HealthEndpoint.builder(health).bearerToken(TOKEN).details(DetailsVisibility.NEVER).build()
                .handle(authorized("/health")));
        assertThat(never.get("checks").get("db").has("details")).isFalse();

        assertThatThrownBy(() -> HealthEndpoint.builder(health).bearerToken("short"))
                .hasMessageContaining("at least 16 characters, but was 5");
    }

    @Test
    void theHealthJsonDraftShapeIsServedWhenAcceptAsksForIt() throws Exception {
        EndpointResponse r = endpoint().handle(EndpointRequest.of("GET", "/health/ready",
                Map.of("Accept", "application/health+json", "Authorization", "Bearer " + TOKEN)));

        assertThat(r.contentType()).isEqualTo("application/health+json");
        JsonNode body = json(r);
        assertThat(body.get("status").asText()).isEqualTo("warn");
        JsonNode db = body.get("checks").get("db:responseTime").get(0);
        assertThat(db.get("componentId").asText()).isEqualTo("db");
        assertThat(db.get("status").asText()).isEqualTo("pass");
        assertThat(db.get("observedUnit").asText()).isEqualTo("ms");
        assertThat(body.get("checks").get("breaker.openai:responseTime").get(0).get("status").asText()).isEqualTo("warn");

        this.db.down("gone");
        JsonNode failing = json(endpoint().handle(authorized("/health/ready?fresh&format=health%2Bjson")));
        assertThat(failing.get("status").asText()).isEqualTo("fail");
    }

    @Test
    void theMicroProfileShapeIsServedWithFormatMicroprofile() throws Exception {
        EndpointResponse r = endpoint().handle(authorized("/health/ready?format=microprofile"));

        JsonNode body = json(r);
        assertThat(body.get("status").asText()).isEqualTo("UP");
        assertThat(body.get("checks").isArray()).isTrue();
        JsonNode first = body.get("checks").get(0);
        assertThat(first.get("name").asText()).isEqualTo("db");
        assertThat(first.get("status").asText()).isEqualTo("UP");
        assertThat(first.get("data").get("latencyMs").asInt()).isEqualTo(3);
        JsonNode breakerCheck = body.get("checks").get(1);
        assertThat(breakerCheck.get("status").asText()).as("MicroProfile knows only UP and DOWN").isEqualTo("UP");
        assertThat(breakerCheck.get("data").get("degraded").asBoolean()).isTrue();
        assertThat(endpoint().handle(EndpointRequest.get("/health?format=xml")).status()).isEqualTo(400);
    }

    @Test
    void plainTextProbesSayOkOrListEachCheckWhenVerbose() {
        HealthEndpoint e = endpoint();
        EndpointResponse ok = e.handle(EndpointRequest.get("/readyz"));
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.contentType()).startsWith("text/plain");
        assertThat(ok.bodyAsString()).isEqualTo("ok\n");

        db.down("connection\nrefused");
        health.checkNow("db");
        EndpointResponse verbose = e.handle(EndpointRequest.get("/readyz?verbose"));
        assertThat(verbose.status()).isEqualTo(503);
        assertThat(verbose.bodyAsString()).isEqualTo("""
                [-]db failed: reason withheld
                [!]breaker.openai degraded
                readyz check failed
                """);
        assertThat(e.handle(authorized("/readyz?verbose")).bodyAsString()).contains("[-]db failed: connection refused\n");
        assertThat(e.handle(EndpointRequest.get("/livez?verbose")).bodyAsString()).isEqualTo("[+]ping ok\nlivez check passed\n");
    }

    @Test
    void onlyRequestsThatMaySeeDetailsCanAskForAFreshRunUnlessAllowedForEveryone() {
        health.checkNow("db");
        db.down("gone");

        assertThat(endpoint().handle(EndpointRequest.get("/health/ready?fresh")).status()).as("stranger: latest results").isEqualTo(200);
        assertThat(endpoint().handle(authorized("/health/ready?fresh")).status()).isEqualTo(503);
        db.up();
        assertThat(HealthEndpoint.builder(health).allowFresh(true).build().handle(EndpointRequest.get("/health/ready?fresh")).status())
                .isEqualTo(200);
    }

    @Test
    void unknownPathsAre404AndOtherMethodsAre405() {
        HealthEndpoint e = endpoint();
        assertThat(e.handle(EndpointRequest.get("/nope")).status()).isEqualTo(404);
        assertThat(e.handle(EndpointRequest.get("/health/nope")).status()).isEqualTo(404);
        assertThat(e.handle(EndpointRequest.get("/metrics")).status()).as("no scrape function given").isEqualTo(404);
        EndpointResponse post = e.handle(EndpointRequest.of("POST", "/health", Map.of()));
        assertThat(post.status()).isEqualTo(405);
        assertThat(post.headers()).containsEntry("Allow", "GET, HEAD");
        assertThat(e.handle(EndpointRequest.of("HEAD", "/health/live", Map.of())).status()).isEqualTo(200);
        assertThat(e.handle(EndpointRequest.get("/health/ready/")).status()).as("trailing slash").isEqualTo(200);
        assertThat(e.handle(EndpointRequest.get("/health?%zz=%%")).status()).as("bad query encoding").isEqualTo(200);
    }

    @Test
    void customGroupsAreServedUnderHealth() throws Exception {
        health.register("queue", ControllableCheck.create(), CheckOptions.readiness().addGroup("jobs"));
        health.register("oauth", ControllableCheck.create(), CheckOptions.readiness().groups("authz"));

        JsonNode body = json(endpoint().handle(EndpointRequest.get("/health/jobs")));

        assertThat(body.get("group").asText()).isEqualTo("jobs");
        assertThat(body.get("checks").fieldNames()).toIterable().containsExactly("queue");
        EndpointResponse authz = endpoint().handle(EndpointRequest.get("/health/authz"));
        assertThat(authz.contentType()).isEqualTo("application/json");
        assertThat(json(authz).get("checks").fieldNames()).toIterable().containsExactly("oauth");
    }

    @Test
    void enormousDetailsAreBoundedAndTheBodyStaysValidJson() throws Exception {
        Map<String, Object> huge = new LinkedHashMap<>();
        for (int i = 0; i < 10_000; i++) {
            huge.put("key" + i, "x".repeat(5_000));
        }
        db.answer(HealthResult.up(huge));
        HealthEndpoint e = HealthEndpoint.builder(health).details(DetailsVisibility.ALWAYS).build();

        EndpointResponse r = e.handle(EndpointRequest.get("/health/ready?fresh"));

        assertThat(r.body().length).isLessThanOrEqualTo(HealthEndpoint.DEFAULT_MAX_BODY_BYTES);
        JsonNode body = json(r);
        assertThat(body.get("status").asText()).isEqualTo("DEGRADED");
        JsonNode details = body.get("checks").get("db").get("details");
        assertThat(details.size()).isEqualTo(ReportRenderer.MAX_DETAILS + 1);
        assertThat(details.get("…").asText()).isEqualTo("9950 more details omitted");

        // beyond the body bound, details are left out and the body says so
        HealthEndpoint tight = HealthEndpoint.builder(health).details(DetailsVisibility.ALWAYS).maxBodyBytes(4096).build();
        EndpointResponse bounded = tight.handle(EndpointRequest.get("/health/ready"));
        assertThat(bounded.body().length).isLessThanOrEqualTo(4096);
        JsonNode boundedBody = json(bounded);
        assertThat(boundedBody.get("truncated").asText()).isEqualTo("body exceeded 4096 bytes; details omitted");
        assertThat(boundedBody.get("checks").get("db").get("status").asText()).isEqualTo("UP");

        // a single oversized value is cut even when the body fits
        db.answer(HealthResult.up(Map.of("blob", "y".repeat(20_000))));
        JsonNode small = json(e.handle(EndpointRequest.get("/health/ready?fresh")));
        assertThat(small.get("checks").get("db").get("details").get("blob").asText()).hasSize(ReportRenderer.MAX_STRING);
    }

    @Test
    void awkwardCharactersInNamesMessagesAndDetailsAreEscaped() throws Exception {
        String nasty = "quote\" backslash\\ newline\n tab\t nul\u0000 bell\u0007 line-sep\u2028 emoji\uD83D\uDE00 lone\uD800 é";
        db.answer(HealthResult.down(new IllegalStateException(nasty)).withDetail("weird", nasty).withDetail("nested",
                Map.of("list", java.util.List.of(1, 2.5, true, nasty))));
        HealthEndpoint e = HealthEndpoint.builder(health).details(DetailsVisibility.ALWAYS).build();

        JsonNode check = json(e.handle(EndpointRequest.get("/health/ready?fresh"))).get("checks").get("db");

        String expected = nasty.replace("\uD800", "\uFFFD");
        assertThat(check.get("error").get("message").asText().replace("\uD800", "\uFFFD")).isEqualTo(expected);
        assertThat(check.get("details").get("weird").asText().replace("\uD800", "\uFFFD")).isEqualTo(expected);
        assertThat(check.get("details").get("nested").get("list").get(1).asDouble()).isEqualTo(2.5);
    }

    @Test
    void metricsAreServedFromAPrometheusRegistryWhenOneIsHandedOver() {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new HealthMetrics(health).bindTo(prometheus);
        health.checkNow("db");
        HealthEndpoint e = HealthEndpoint.builder(health).prometheus(prometheus).build();

        EndpointResponse r = e.handle(EndpointRequest.get("/metrics"));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.contentType()).isEqualTo(HealthEndpoint.PROMETHEUS_TEXT);
        assertThat(r.bodyAsString()).contains("opskit_health_check_status{check=\"db\"} 0")
                .contains("opskit_health_check_duration_seconds_count{check=\"db\"} 1");
    }
}
