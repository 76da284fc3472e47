package dev.opskit.core.internal.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class JsonWriterTest {

    @Test
    void placesCommasAndColonsInObjectsAndArraysAtEveryLevel() {
        String json = new JsonWriter().beginObject()
                .name("a").value(1)
                .name("b").beginArray().value("x").beginArray().endArray().beginObject().name("c").value(false).endObject()
                .nullValue().endArray()
                .name("e").beginObject().endObject()
                .name("f").value((String) null)
                .endObject().toString();

        assertThat(json).isEqualTo("{\"a\":1,\"b\":[\"x\",[],{\"c\":false},null],\"e\":{},\"f\":null}");
    }

    @Test
    void appendsToAGivenBufferAndWritesTopLevelScalars() {
        StringBuilder sb = new StringBuilder("body=");
        new JsonWriter(sb).value("a\"b");
        assertThat(sb.toString()).isEqualTo("body=\"a\\\"b\"");
        assertThat(new JsonWriter().value(true).toString()).isEqualTo("true");
        assertThat(new JsonWriter().beginArray().value(1).value(2).endArray().toString()).isEqualTo("[1,2]");
    }

    @Test
    void depthCountsTheOpenContainers() {
        JsonWriter w = new JsonWriter();
        assertThat(w.depth()).isZero();
        assertThat(w.beginObject().name("a").beginArray().depth()).isEqualTo(2);
        assertThat(w.endArray().depth()).isEqualTo(1);
        assertThat(w.endObject().depth()).isZero();
    }

    @Test
    void namesAndValuesAreEscapedLikeQuote() {
        String nasty = "\u0000\u001f\"\\\u2028\uD800";
        assertThat(new JsonWriter().beginObject().name(nasty).value(nasty).endObject().toString())
                .isEqualTo("{" + JsonText.quote(nasty) + ":" + JsonText.quote(nasty) + "}");
    }

    @Test
    void doublesAreWholeWhenWholeAndNonFiniteOnesBecomeStrings() {
        assertThat(new JsonWriter().beginArray().value(3.0).value(2.5).value(-0.001).value(1e20).value(Double.NaN)
                .value(Double.POSITIVE_INFINITY).value(Double.NEGATIVE_INFINITY).endArray().toString())
                .isEqualTo("[3,2.5,-0.001,1.0E20,\"NaN\",\"Infinity\",\"-Infinity\"]");
        assertThat(JsonText.syntaxError(new JsonWriter().value(1e20).toString())).isNull();
    }

    @Test
    void refusesToNestTooDeepOrToCloseWhatWasNotOpened() {
        JsonWriter w = new JsonWriter();
        for (int i = 0; i < JsonText.MAX_DEPTH; i++) {
            w.beginArray();
        }
        assertThatThrownBy(w::beginArray).isInstanceOf(IllegalStateException.class)
                .hasMessage("JSON nested deeper than 512 levels");
        assertThatThrownBy(() -> new JsonWriter().endObject()).isInstanceOf(IllegalStateException.class)
                .hasMessage("'}' without a matching open");
        assertThatThrownBy(() -> new JsonWriter().name(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("name must not be null");
    }

    @Test
    void deepButAllowedNestingParsesBack() {
        JsonWriter w = new JsonWriter();
        for (int i = 0; i < JsonText.MAX_DEPTH; i++) {
            w.beginObject().name("k");
        }
        w.value(1);
        for (int i = 0; i < JsonText.MAX_DEPTH; i++) {
            w.endObject();
        }
        assertThat(JsonText.syntaxError(w.toString())).isNull();
    }
}
