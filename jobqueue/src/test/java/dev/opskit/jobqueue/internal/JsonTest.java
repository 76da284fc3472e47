package dev.opskit.jobqueue.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opskit.core.internal.json.JsonText;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    private static final Instant AT = Instant.parse("2026-11-23T07:00:00Z");

    @Test
    void anErrorEntryWithoutAThrowableHasTheFieldsInAFixedOrder() {
        assertThat(Json.error(2, AT, "no_handler", "no handler for \"x\"", "no_handler", null))
                .isEqualTo("{\"attempt\":2,\"at\":\"2026-11-23T07:00:00Z\",\"type\":\"no_handler\","
                        + "\"message\":\"no handler for \\\"x\\\"\",\"reason\":\"no_handler\"}");
        assertThat(Json.error(1, AT, "t", null, null, null))
                .isEqualTo("{\"attempt\":1,\"at\":\"2026-11-23T07:00:00Z\",\"type\":\"t\",\"message\":null,\"reason\":null}");
    }

    @Test
    @SuppressWarnings("unchecked")
    void anErrorEntryIsValidJsonbWithTheRootCauseAndTheStack() {
        Exception e = new IllegalStateException("line1\nline2\ttab\0nul", new java.io.IOException("disk"));
        String json = Json.error(3, AT, e.getClass().getName(), e.getMessage(), "retry", e);

        assertThat(JsonText.jsonbSyntaxError(json)).isNull();
        Map<String, Object> m = (Map<String, Object>) JsonText.parse(json);
        assertThat(m).containsEntry("message", "line1\nline2\ttab\uFFFDnul").containsEntry("cause", "java.io.IOException");
        assertThat((String) m.get("stack")).startsWith("java.lang.IllegalStateException: line1");
    }

    @Test
    void longMessagesAndStacksAreCut() {
        String json = Json.error(1, AT, "t", "m".repeat(5000), "r", null);
        assertThat(json).contains("m".repeat(1997) + "...\"").doesNotContain("m".repeat(1998));
        assertThat(Json.stack(deep(400))).hasSize(Json.MAX_STACK).endsWith("...");
    }

    @Test
    void stringQuotesNullAndReplacesNul() {
        StringBuilder b = new StringBuilder();
        Json.string(b, null);
        b.append(' ');
        Json.string(b, "a\0\u0001\\");
        assertThat(b).hasToString("null \"a\uFFFD\\u0001\\\\\"");
    }

    @Test
    @SuppressWarnings("unchecked")
    void theHistoryForADeadLetterKeepsEveryFieldButOnlyTheFirstFramesOfEachStack() {
        IllegalStateException e = new IllegalStateException("card declined", new java.io.IOException("socket closed"));
        StackTraceElement[] frames = new StackTraceElement[8];
        for (int i = 0; i < frames.length; i++) {
            frames[i] = new StackTraceElement("shop.Billing", "step" + i, "Billing.java", 10 + i);
        }
        e.setStackTrace(frames);
        String full = "[" + Json.error(1, AT, e.getClass().getName(), e.getMessage(), "retry", e) + ","
                + Json.error(2, AT, "lease_expired", "the lease expired", "rescued_after_lease", null) + "]";

        String history = Json.history(full);

        List<Object> entries = (List<Object>) JsonText.parse(history);
        assertThat(entries).hasSize(2);
        Map<String, Object> first = (Map<String, Object>) entries.get(0);
        assertThat(first).containsEntry("type", "java.lang.IllegalStateException").containsEntry("message", "card declined")
                .containsEntry("reason", "retry").containsEntry("cause", "java.io.IOException")
                .containsEntry("stack", "\tat shop.Billing.step0(Billing.java:10)\n\tat shop.Billing.step1(Billing.java:11)\n"
                        + "\tat shop.Billing.step2(Billing.java:12)\n\tat shop.Billing.step3(Billing.java:13)\n"
                        + "\tat shop.Billing.step4(Billing.java:14)\n\t... 3 more");
        assertThat(first.get("attempt")).hasToString("1");
        assertThat(entries.get(1)).as("an entry without a stack is unchanged").isEqualTo(JsonText.parse(
                Json.error(2, AT, "lease_expired", "the lease expired", "rescued_after_lease", null)));
        assertThat(history).as("field order and layout as written").startsWith("[{\"attempt\":1,\"at\":\"2026-11-23T07:00:00Z\",\"type\":");
        assertThat(Json.history("not json")).isEqualTo("not json");
    }

    @Test
    void aShortStackWithFewFramesHasNoMoreLine() {
        assertThat(Json.shortStack("java.lang.RuntimeException: x\n\tat a.B.c(B.java:1)\n", 5)).isEqualTo("\tat a.B.c(B.java:1)");
    }

    private static Throwable deep(int depth) {
        return depth == 0 ? new RuntimeException("bottom") : nest(depth);
    }

    private static Throwable nest(int depth) {
        try {
            throw deep(depth - 1);
        } catch (Throwable t) {
            return new RuntimeException("level " + depth, t);
        }
    }
}
