package dev.opskit.core.internal.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class JsonTextTest {
    private static final ObjectMapper JACKSON = new ObjectMapper();

    // ---- quote

    @Test
    void quotesAndBackslashesAreEscapedAndNullIsTheLiteralNull() {
        assertThat(JsonText.quote("say \"hi\" \\o/")).isEqualTo("\"say \\\"hi\\\" \\\\o/\"");
        assertThat(JsonText.quote((String) null)).isEqualTo("null");
        assertThat(JsonText.quote("")).isEqualTo("\"\"");
        assertThat(JsonText.quote(new StringBuilder("x="), "y").toString()).isEqualTo("x=\"y\"");
    }

    @Test
    void everyControlCharacterIsEscapedShortFormWhereJsonHasOneElseAsLowerCaseHex() {
        Map<Character, String> shortForms = Map.of('\b', "\\b", '\f', "\\f", '\n', "\\n", '\r', "\\r", '\t', "\\t");
        for (char c = 0; c < 0x20; c++) {
            String expected = shortForms.getOrDefault(c, String.format("\\u%04x", (int) c));
            assertThat(JsonText.quote(String.valueOf(c))).as("U+%04X", (int) c).isEqualTo("\"" + expected + "\"");
        }
        assertThat(JsonText.quote("a\u007fb")).isEqualTo("\"a\\u007fb\"");
        assertThat(JsonText.quote("a\u2028b\u2029c")).isEqualTo("\"a\\u2028b\\u2029c\"");
    }

    @Test
    void nonAsciiAndSurrogatePairsAreWrittenAsThemselves() {
        assertThat(JsonText.quote("é ü 日本 \uD83D\uDE00")).isEqualTo("\"é ü 日本 \uD83D\uDE00\"");
    }

    @Test
    void loneSurrogatesBecomeTheReplacementCharacterSoTheOutputIsAlwaysValidUtf8() {
        assertThat(JsonText.quote("a\uD800b")).isEqualTo("\"a\\ufffdb\"");
        assertThat(JsonText.quote("a\uDC00b")).isEqualTo("\"a\\ufffdb\"");
        assertThat(JsonText.quote("end\uD83D")).isEqualTo("\"end\\ufffd\"");
        assertThat(JsonText.quote("\uDE00\uD83D")).isEqualTo("\"\\ufffd\\ufffd\"");
        // reversed pair, then a good pair
        assertThat(JsonText.quote("\uDE00\uD83D\uDE00")).isEqualTo("\"\\ufffd\uD83D\uDE00\"");
    }

    @Test
    void quotedTextRoundTripsThroughJacksonAndThroughParse() throws Exception {
        Random random = new Random(7);
        for (int round = 0; round < 300; round++) {
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < 40; i++) {
                switch (random.nextInt(5)) {
                    case 0 -> s.append((char) random.nextInt(0x20));
                    case 1 -> s.append("\"\\/'\u007f\u2028".charAt(random.nextInt(6)));
                    case 2 -> s.append((char) (0x80 + random.nextInt(0x2000)));
                    case 3 -> s.appendCodePoint(0x1F600 + random.nextInt(50));
                    default -> s.append((char) (0x20 + random.nextInt(0x5f)));
                }
            }
            String text = s.toString();
            String quoted = JsonText.quote(text);
            assertThat(JACKSON.readValue(quoted, String.class)).isEqualTo(text);
            assertThat(JsonText.parse(quoted)).isEqualTo(text);
            assertThat(JsonText.syntaxError(quoted)).isNull();
        }
    }

    // ---- syntaxError: valid input

    @Test
    void anyJsonValueIsValidAtTheTopLevel() {
        for (String ok : List.of("{}", "[]", "\"s\"", "0", "-0", "1.5e-3", "2E+10", "true", "false", "null",
                " \t\r\n{ \"a\" : [ 1 , { } , [ ] , \"\\u00e9\\/\\b\\f\\n\\r\\t\\\\\\\"\" ] } \n",
                "-12.0e0", "\"\\uD83D\\uDE00\"", "\"\\u0000\"")) {
            assertThat(JsonText.syntaxError(ok)).as(ok).isNull();
        }
    }

    // ---- syntaxError: positions

    @Test
    void truncatedInputNamesWhereItEnded() {
        assertThat(JsonText.syntaxError("")).isEqualTo("expected a value but the text ended at character 1");
        assertThat(JsonText.syntaxError("   ")).isEqualTo("expected a value but the text ended at character 4");
        assertThat(JsonText.syntaxError("{\"a\":")).isEqualTo("expected a value but the text ended at character 6");
        assertThat(JsonText.syntaxError("{\"a\":1")).isEqualTo("expected ',' or '}' but found the end of the text at character 7");
        assertThat(JsonText.syntaxError("[1,")).isEqualTo("expected a value but the text ended at character 4");
        assertThat(JsonText.syntaxError("{\"a\"")).isEqualTo("expected ':' but found the end of the text at character 5");
        assertThat(JsonText.syntaxError("[\"abc")).isEqualTo("unterminated string at character 2");
        assertThat(JsonText.syntaxError("\"ab\\")).isEqualTo("unterminated string at character 1");
        assertThat(JsonText.syntaxError("tru")).isEqualTo("expected a value but found 't' at character 1");
        assertThat(JsonText.syntaxError("1.")).isEqualTo("expected a digit after '.' but found the end of the text at character 3");
        assertThat(JsonText.syntaxError("1e")).isEqualTo("expected a digit in the exponent but found the end of the text at character 3");
        assertThat(JsonText.syntaxError("-")).isEqualTo("expected a digit but found the end of the text at character 2");
    }

    @Test
    void textAfterTheValueIsRefusedWithItsPosition() {
        assertThat(JsonText.syntaxError("{} x")).isEqualTo("unexpected 'x' after the JSON value at character 4");
        assertThat(JsonText.syntaxError("[1]]")).isEqualTo("unexpected ']' after the JSON value at character 4");
        assertThat(JsonText.syntaxError("1 2")).isEqualTo("unexpected '2' after the JSON value at character 3");
        assertThat(JsonText.syntaxError("nullx")).isEqualTo("unexpected 'x' after the JSON value at character 5");
    }

    @Test
    void badEscapesAreRefusedAtTheBackslash() {
        assertThat(JsonText.syntaxError("\"a\\x\"")).isEqualTo("bad escape '\\x' at character 3");
        assertThat(JsonText.syntaxError("\"a\\'\"")).isEqualTo("bad escape '\\'' at character 3");
        assertThat(JsonText.syntaxError("\"\\u12g4\"")).isEqualTo("bad \\u escape: expected 4 hex digits at character 2");
        assertThat(JsonText.syntaxError("\"\\u12")).isEqualTo("bad \\u escape: expected 4 hex digits at character 2");
        assertThat(JsonText.syntaxError("\"\\u١٢٣٤\"")).as("non-ASCII digits").startsWith("bad \\u escape");
        assertThat(JsonText.syntaxError("\"\\U0041\"")).isEqualTo("bad escape '\\U' at character 2");
    }

    @Test
    void rawControlCharactersInStringsAreRefused() {
        assertThat(JsonText.syntaxError("\"a\nb\"")).isEqualTo("unescaped control character U+000a in a string at character 3");
        assertThat(JsonText.syntaxError("\"\u0000\"")).isEqualTo("unescaped control character U+0000 in a string at character 2");
    }

    @Test
    void numbersFollowTheRfcGrammar() {
        assertThat(JsonText.syntaxError("01")).isEqualTo("a number must not have a leading zero at character 2");
        assertThat(JsonText.syntaxError("[-007]")).isEqualTo("a number must not have a leading zero at character 4");
        assertThat(JsonText.syntaxError("+1")).isEqualTo("expected a value but found '+' at character 1");
        assertThat(JsonText.syntaxError(".5")).isEqualTo("expected a value but found '.' at character 1");
        assertThat(JsonText.syntaxError("1.e5")).isEqualTo("expected a digit after '.' but found 'e' at character 3");
        assertThat(JsonText.syntaxError("NaN")).isEqualTo("expected a value but found 'N' at character 1");
        assertThat(JsonText.syntaxError("-Infinity")).isEqualTo("expected a digit but found 'I' at character 2");
        assertThat(JsonText.syntaxError("0x10")).isEqualTo("unexpected 'x' after the JSON value at character 2");
    }

    @Test
    void structuralMistakesAreRefusedWithThePositionOfTheOffendingCharacter() {
        assertThat(JsonText.syntaxError("{'single': 1}")).isEqualTo("expected a member name in double quotes but found ''' at character 2");
        assertThat(JsonText.syntaxError("{\"a\" 1}")).isEqualTo("expected ':' but found '1' at character 6");
        assertThat(JsonText.syntaxError("{\"a\":1,}")).isEqualTo("expected a member name in double quotes but found '}' at character 8");
        assertThat(JsonText.syntaxError("[1,]")).isEqualTo("expected a value but found ']' at character 4");
        assertThat(JsonText.syntaxError("[1 2]")).isEqualTo("expected ',' or ']' but found '2' at character 4");
        assertThat(JsonText.syntaxError("{a:1}")).isEqualTo("expected a member name in double quotes but found 'a' at character 2");
        assertThat(JsonText.syntaxError("[\u0001]")).isEqualTo("expected a value but found U+0001 at character 2");
        assertThat(JsonText.syntaxError("\uFEFF{}")).as("a byte order mark is not whitespace").isEqualTo(
                "expected a value but found '\uFEFF' at character 1");
    }

    @Test
    void nestingIsBoundedWithAClearErrorInsteadOfAStackOverflow() {
        String ok = "[".repeat(JsonText.MAX_DEPTH) + "]".repeat(JsonText.MAX_DEPTH);
        assertThat(JsonText.syntaxError(ok)).isNull();
        String tooDeep = "[".repeat(JsonText.MAX_DEPTH + 1) + "]".repeat(JsonText.MAX_DEPTH + 1);
        assertThat(JsonText.syntaxError(tooDeep)).isEqualTo("nested deeper than 512 levels at character 513");
        String hostile = "{\"a\":".repeat(1_000_000);
        assertThat(JsonText.syntaxError(hostile)).isEqualTo("nested deeper than 512 levels at character " + (512 * 5 + 1));
        assertThatThrownBy(() -> JsonText.parse("[".repeat(100_000))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nested deeper than 512 levels");
    }

    @Test
    void theJsonbCheckAlsoRefusesTheNulEscapeWhichPostgresCannotStore() {
        assertThat(JsonText.syntaxError("{\"a\": \"x\\u0000\"}")).isNull();
        assertThat(JsonText.jsonbSyntaxError("{\"a\": \"x\\u0000\"}"))
                .isEqualTo("\\u0000 is not allowed (PostgreSQL jsonb cannot store it) at character 9");
        assertThat(JsonText.jsonbSyntaxError("{\"a\": \"x\\u0001\"}")).isNull();
        assertThat(JsonText.jsonbSyntaxError("{'a': 1}")).isEqualTo(JsonText.syntaxError("{'a': 1}"));
    }

    // ---- parse

    @Test
    void parsesIntoLinkedMapsListsStringsBigDecimalsBooleansAndNull() {
        Object v = JsonText.parse("{\"b\": [1, -2.5e3, \"\\u00e9\\n\", true, false, null, {}], \"a\": 0.10}");

        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("b", Arrays.asList(new BigDecimal("1"), new BigDecimal("-2.5e3"), "é\n", true, false, null,
                new LinkedHashMap<>()));
        expected.put("a", new BigDecimal("0.10"));
        assertThat(v).isInstanceOf(LinkedHashMap.class).isEqualTo(expected);
        assertThat(new ArrayList<Object>(((Map<?, ?>) v).keySet())).containsExactly("b", "a");
        assertThat(((Map<?, ?>) v).get("b")).isInstanceOf(ArrayList.class);
        assertThat(JsonText.parse(" null ")).isNull();
        assertThat(JsonText.parse("12345678901234567890123.000001")).isEqualTo(new BigDecimal("12345678901234567890123.000001"));
        assertThat(JsonText.parse("\"\\uD83D\\uDE00\"")).isEqualTo("\uD83D\uDE00");
        assertThat(JsonText.parse("{\"k\":1,\"k\":2}")).isEqualTo(Map.of("k", new BigDecimal("2")));
    }

    @Test
    void parseThrowsWithTheSameMessageAsTheSyntaxCheck() {
        for (String bad : List.of("", "{", "[1,]", "01", "\"\\x\"", "{} {}", "1e99999999999")) {
            String message = JsonText.syntaxError(bad);
            assertThat(message).as(bad).isNotNull();
            assertThatThrownBy(() -> JsonText.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
        }
        assertThat(JsonText.syntaxError("1e99999999999")).isEqualTo("number out of range at character 1");
        assertThatThrownBy(() -> JsonText.parse(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void whatTheWriterWritesParsesBackToTheSameValues() throws Exception {
        String nasty = "q\" b\\ nl\n nul\u0000 del\u007f ls\u2028 emoji\uD83D\uDE00 é";
        String json = new JsonWriter().beginObject()
                .name(nasty).value(nasty)
                .name("n").value(-42)
                .name("d").value(2.5)
                .name("list").beginArray().value(true).nullValue().beginObject().endObject().endArray()
                .endObject().toString();

        Object parsed = JsonText.parse(json);
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put(nasty, nasty);
        expected.put("n", new BigDecimal("-42"));
        expected.put("d", new BigDecimal("2.5"));
        expected.put("list", Arrays.asList(true, null, Map.of()));
        assertThat(parsed).isEqualTo(expected);
        assertThat(JACKSON.readTree(json).get(nasty).asText()).isEqualTo(nasty);
    }

    @Test
    void agreesWithJacksonOnRandomlyDamagedDocuments() {
        String base = "{\"a\":[1,2.5e-3,\"x\\\"y\\u00e9\",true,false,null],\"b\":{\"c\":{}},\"d\":-0.0}";
        Random random = new Random(11);
        String alphabet = "{}[],:\"\\ 0123456789.eE+-truefalsn\u0001x";
        for (int round = 0; round < 2000; round++) {
            StringBuilder s = new StringBuilder(base);
            int edits = 1 + random.nextInt(3);
            for (int e = 0; e < edits; e++) {
                int at = random.nextInt(s.length());
                switch (random.nextInt(3)) {
                    case 0 -> s.deleteCharAt(at);
                    case 1 -> s.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
                    default -> s.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
                }
            }
            String text = s.toString();
            boolean jacksonAccepts;
            try {
                JACKSON.readTree(text);
                jacksonAccepts = JACKSON.getFactory().createParser(text).nextToken() != null && isSingleValue(text);
            } catch (Exception ex) {
                jacksonAccepts = false;
            }
            assertThat(JsonText.syntaxError(text) == null).as(text).isEqualTo(jacksonAccepts);
        }
    }

    private static boolean isSingleValue(String text) throws Exception {
        try (var p = JACKSON.getFactory().createParser(text)) {
            p.nextToken();
            p.skipChildren();
            return p.nextToken() == null;
        }
    }

    @Test
    void jsonbRefusesUnpairedSurrogatesRawAndEscapedAndNamesThePosition() {
        assertThat(JsonText.jsonbSyntaxError("{\"a\": \"x" + '\ud800' + "\"}"))
                .isEqualTo("unpaired UTF-16 surrogate U+D800 in a string (no UTF-8 form) at character 9");
        assertThat(JsonText.jsonbSyntaxError("\"" + '\udc00' + "\"")).contains("unpaired UTF-16 surrogate U+DC00").endsWith("at character 2");
        assertThat(JsonText.jsonbSyntaxError("{\"a\": \"\\ud800\"}"))
                .isEqualTo("unpaired UTF-16 surrogate escape \\ud800 in a string (PostgreSQL jsonb refuses it) at character 8");
        assertThat(JsonText.jsonbSyntaxError("\"\\udc00x\"")).contains("surrogate escape \\udc00");
        assertThat(JsonText.jsonbSyntaxError("\"\\ud800\\u0041\"")).contains("surrogate escape \\ud800");
        // pairs are fine, raw or escaped; plain syntaxError (not for jsonb) keeps accepting lone ones
        assertThat(JsonText.jsonbSyntaxError("\"\ud83d\ude00 \\ud83d\\ude00\"")).isNull();
        assertThat(JsonText.syntaxError("\"\\ud800\"")).isNull();
    }
}
