package dev.opskit.core.internal.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StoredTextTest {
    @Test
    void refusesNulAndUnpairedSurrogatesNamingTheArgumentAndThePosition() {
        assertThatThrownBy(() -> StoredText.requireStorable("uniqueKey", "key-\0"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("uniqueKey contains the NUL character (U+0000) at character 5, which PostgreSQL text cannot store");
        assertThatThrownBy(() -> StoredText.requireStorable("uniqueKey", "key-" + '\ud800'))
                .hasMessage("uniqueKey contains an unpaired UTF-16 surrogate U+D800 at character 5, which has no UTF-8 form (it would be stored as '?')");
        assertThatThrownBy(() -> StoredText.requireStorable("workerId", '\udbff' + "x")).hasMessageContaining("U+DBFF at character 1");
        assertThatThrownBy(() -> StoredText.requireStorable("workerId", "x" + '\udc00')).hasMessageContaining("U+DC00 at character 2");
        assertThatThrownBy(() -> StoredText.requireStorable("source", null)).isInstanceOf(NullPointerException.class)
                .hasMessage("source must not be null");
    }

    @Test
    void acceptsPairsAndReplacesWhatCannotBeStoredInErrorTexts() {
        assertThat(StoredText.requireStorable("uniqueKey", "emoji-\ud83d\ude00")).isEqualTo("emoji-\ud83d\ude00");
        assertThat(StoredText.problem("plain")).isNull();
        assertThat(StoredText.replaceUnstorable("a\0b" + '\ud800' + "c\ud83d\ude00")).isEqualTo("a\ufffdb\ufffdc\ud83d\ude00");
        assertThat(StoredText.replaceUnstorable(null)).isNull();
    }
}
