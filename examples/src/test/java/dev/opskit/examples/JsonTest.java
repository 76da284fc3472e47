package dev.opskit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The example's JSON answers parse with a real parser, whatever the strings hold. */
class JsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void compactAndPrettyOutputParseToTheSameValues() throws Exception {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("text", "quote \" backslash \\ newline \n tab \t control \u0001 separator \u2028 ünïcödé");
        value.put("long", 9_007_199_254_740_993L);
        value.put("rate", -1.0f);
        value.put("fraction", 12.5);
        value.put("nan", Double.NaN);
        value.put("none", null);
        value.put("flag", true);
        value.put("when", Instant.parse("2026-11-23T06:00:00Z"));
        value.put("took", Duration.ofMillis(1500));
        value.put("list", List.of(1, "two", Map.of()));
        value.put("empty", List.of());

        for (String text : Arrays.asList(Json.write(value), Json.pretty(value))) {
            JsonNode n = JSON.readTree(text);
            assertThat(n.path("text").asText()).isEqualTo(value.get("text"));
            assertThat(n.path("long").asLong()).isEqualTo(9_007_199_254_740_993L);
            assertThat(n.path("rate").asInt()).isEqualTo(-1);
            assertThat(n.path("fraction").asDouble()).isEqualTo(12.5);
            assertThat(n.path("nan").isNull()).isTrue();
            assertThat(n.path("none").isNull()).isTrue();
            assertThat(n.path("flag").asBoolean()).isTrue();
            assertThat(n.path("when").asText()).isEqualTo("2026-11-23T06:00:00Z");
            assertThat(n.path("took").asText()).isEqualTo("PT1.5S");
            assertThat(n.path("list").size()).isEqualTo(3);
            assertThat(n.path("empty").isArray()).isTrue();
        }
        assertThat(Json.write(value)).doesNotContain("\n");
        assertThat(Json.pretty(value)).contains("\n  \"text\": ");
    }
}
