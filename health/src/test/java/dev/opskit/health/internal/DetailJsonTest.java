package dev.opskit.health.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.opskit.core.internal.json.JsonWriter;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DetailJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyCharacterSurvivesARoundTripThroughARealParser() throws Exception {
        Random random = new Random(42);
        for (int round = 0; round < 200; round++) {
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < 50; i++) {
                // mostly the awkward ranges: controls, quotes, backslashes, non-ASCII, surrogate pairs
                switch (random.nextInt(5)) {
                    case 0 -> s.append((char) random.nextInt(0x20));
                    case 1 -> s.append("\"\\/'".charAt(random.nextInt(4)));
                    case 2 -> s.append((char) (0x80 + random.nextInt(0x2000)));
                    case 3 -> s.appendCodePoint(0x1F600 + random.nextInt(50));
                    default -> s.append((char) (0x20 + random.nextInt(0x5f)));
                }
            }
            String text = s.toString();
            StringBuilder out = new StringBuilder();
            new JsonWriter(out).beginObject().name(text).value(text).endObject();

            JsonNode node = JSON.readTree(out.toString());
            assertThat(node.get(text).asText()).isEqualTo(text);
        }
    }

    @Test
    void controlCharactersAndLineSeparatorsAreEscapedNeverWrittenRaw() {
        StringBuilder out = new StringBuilder();
        new JsonWriter(out).value("a\u0000b\u001fc\u2028d\u2029e\u007f");

        assertThat(out.toString()).isEqualTo("\"a\\u0000b\\u001fc\\u2028d\\u2029e\\u007f\"");
    }

    @Test
    void writesNestedValuesNumbersAndNonFiniteDoubles() throws Exception {
        StringBuilder out = new StringBuilder();
        JsonWriter w = new JsonWriter(out).beginObject();
        DetailJson.any(w.name("map"), Map.of("k", List.of(1, 2.5, true, "x")), 100)
                .name("nan").value(Double.NaN)
                .name("whole").value(3.0)
                .name("none").nullValue()
                .endObject();

        JsonNode node = JSON.readTree(out.toString());
        assertThat(node.get("map").get("k").get(1).asDouble()).isEqualTo(2.5);
        assertThat(node.get("nan").asText()).isEqualTo("NaN");
        assertThat(node.get("whole").asLong()).isEqualTo(3);
        assertThat(node.get("none").isNull()).isTrue();
    }

    @Test
    void longStringsAreCutAndDeepNestingFallsBackToText() throws Exception {
        StringBuilder out = new StringBuilder();
        JsonWriter w = new JsonWriter(out).beginObject().name("long");
        DetailJson.any(w, "x".repeat(50), 10);
        DetailJson.any(w.name("deep"), Map.of("a", Map.of("b", Map.of("c", Map.of("d", Map.of("e", Map.of("f", "g")))))), 100);
        w.endObject();

        JsonNode node = JSON.readTree(out.toString());
        assertThat(node.get("long").asText()).isEqualTo("xxxxxxxxx…");
        // the writer is one level deep here; maps open up to depth 6, then the rest is written as text
        JsonNode atDepth6 = node.get("deep").get("a").get("b").get("c").get("d");
        assertThat(atDepth6.get("e").isTextual()).isTrue();
        assertThat(atDepth6.get("e").asText()).isEqualTo("{f=g}");
    }
}
