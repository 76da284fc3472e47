package dev.opskit.deadletter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class NewDeadLetterTest {
    @Test
    void aLongStackTraceIsCappedAndSaysHowMuchWasCut() {
        Exception deep = new IllegalStateException("x");
        StackTraceElement[] frames = new StackTraceElement[2_000];
        for (int i = 0; i < frames.length; i++) {
            frames[i] = new StackTraceElement("com.example.VeryLongClassName" + i, "method", "File.java", i);
        }
        deep.setStackTrace(frames);

        NewDeadLetter l = NewDeadLetter.builder("a:x", "k").error(deep).build();

        assertThat(l.stackTrace()).hasSizeLessThan(NewDeadLetter.MAX_STACK_TRACE_CHARS + 100)
                .startsWith("java.lang.IllegalStateException: x").contains("more characters cut]");
    }

    @Test
    void theRootCauseTypeIsTheInnermostCause() {
        Exception e = new RuntimeException("outer", new IllegalStateException("mid", new java.net.SocketTimeoutException("inner")));
        NewDeadLetter l = NewDeadLetter.builder("a:x", "k").error(e).build();
        assertThat(l.errorType()).isEqualTo("java.lang.RuntimeException");
        assertThat(l.causeType()).isEqualTo("java.net.SocketTimeoutException");
    }

    @Test
    void badValuesAreRefusedWithTheirName() {
        assertThatThrownBy(() -> NewDeadLetter.builder("jobqueue:*", "k"))
                .hasMessageContaining("source must not contain '*'");
        assertThatThrownBy(() -> NewDeadLetter.builder(" ", "k")).hasMessageContaining("source must be 1 to 200 characters");
        assertThatThrownBy(() -> NewDeadLetter.builder("a:x", "k").attempts(-1))
                .hasMessage("attempts must be 0 or more, but was -1");
        assertThatThrownBy(() -> NewDeadLetter.builder("a:x", "k").payload("{'single': 1}").build())
                .hasMessageContaining("is not valid JSON").hasMessageContaining("at character 2");
        assertThatThrownBy(() -> NewDeadLetter.builder("a:x", "k")
                .firstFailedAt(Instant.parse("2026-01-02T00:00:00Z")).lastFailedAt(Instant.parse("2026-01-01T00:00:00Z")).build())
                .hasMessageContaining("lastFailedAt (2026-01-01T00:00:00Z) must not be before firstFailedAt");
        assertThatThrownBy(() -> NewDeadLetter.builder("a:x", "k").payload("{\"a\": \"\\u0000\"}").build())
                .hasMessageContaining("\\u0000 is not allowed");
        assertThatThrownBy(() -> DeadLetterReason.fromCode("tired")).hasMessageContaining("unknown dead-letter reason 'tired'");
        assertThatThrownBy(() -> DeadLetterQuery.builder().limit(0).build()).hasMessage("limit must be between 1 and 10000, but was 0");
        assertThatThrownBy(() -> ReplayAllRequest.builder().ratePerSecond(-1).build())
                .hasMessageContaining("ratePerSecond must be 0 (unthrottled) or more, but was -1.0");
    }

    @Test
    void aPayloadMayBeAnyJsonValue() {
        assertThat(NewDeadLetter.builder("a:x", "k").payload("[1, 2.5e3, \"\\u00e9\", true, null]").build().payload()).startsWith("[");
        assertThat(NewDeadLetter.builder("a:x", "k").build().payload()).isEqualTo("{}");
    }
}
