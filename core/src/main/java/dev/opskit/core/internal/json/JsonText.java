package dev.opskit.core.internal.json;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Quoting, syntax checking and parsing of JSON text (RFC 8259), with no dependency.
 *
 * <p>Error messages name the first problem and its position as {@code "at character N"}, counting
 * characters (UTF-16 units) from 1. Nesting deeper than {@link #MAX_DEPTH} arrays and objects is
 * refused with a message rather than a {@link StackOverflowError}. All methods are static,
 * stateless and safe to call from any thread.
 */
public final class JsonText {
    /** The deepest nesting of arrays and objects that is accepted: {@value}. */
    public static final int MAX_DEPTH = 512;

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final String text;
    private final boolean jsonb;
    private int pos;

    private JsonText(String text, boolean jsonb) {
        this.text = text;
        this.jsonb = jsonb;
    }

    /**
     * Appends {@code s} as a JSON string literal with its quotes, or {@code null} when {@code s} is
     * null. Escapes {@code "} and {@code \}; writes {@code \b \f \n \r \t} in short form and every
     * other control character (U+0000 to U+001F and U+007F) as <code>&#92;u00XX</code>; escapes U+2028 and
     * U+2029 (they end a line in JavaScript). A lone surrogate (one that is not part of a valid pair)
     * is written as <code>&#92;ufffd</code>, the replacement character, so the output is always valid UTF-8
     * and acceptable to every parser, PostgreSQL's {@code jsonb} included. Hex digits are lower case.
     *
     * @param sb where to append (not null)
     * @param s  the string, or null
     * @return {@code sb}
     */
    public static StringBuilder quote(StringBuilder sb, @Nullable String s) {
        if (s == null) {
            return sb.append("null");
        }
        sb.append('"');
        int len = s.length();
        for (int i = 0; i < len; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029') {
                        unicode(sb, c);
                    } else if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
                        sb.append(c).append(s.charAt(++i));
                    } else if (Character.isSurrogate(c)) {
                        sb.append("\\ufffd");
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"');
    }

    /**
     * {@code s} as a JSON string literal with its quotes, or {@code "null"}; see
     * {@link #quote(StringBuilder, String)}.
     */
    public static String quote(@Nullable String s) {
        return quote(new StringBuilder(s == null ? 4 : s.length() + 2), s).toString();
    }

    private static void unicode(StringBuilder sb, char c) {
        sb.append("\\u").append(HEX[(c >> 12) & 0xf]).append(HEX[(c >> 8) & 0xf])
                .append(HEX[(c >> 4) & 0xf]).append(HEX[c & 0xf]);
    }

    /**
     * Checks that {@code text} is exactly one JSON value (any value at the top level: object, array,
     * string, number, {@code true}, {@code false}, {@code null}), with optional whitespace around it.
     *
     * @param text the text to check (not null)
     * @return null when the text is valid, else what is wrong and where, for example
     *         {@code "expected a member name in double quotes but found ''' at character 2"}
     */
    public static @Nullable String syntaxError(String text) {
        return errorOf(text, false);
    }

    /**
     * Like {@link #syntaxError(String)}, and also refuses the escape <code>&#92;u0000</code>, which RFC 8259
     * allows but PostgreSQL's {@code jsonb} cannot store. Use it to refuse a payload at once, with a
     * position, before it is handed to a {@code jsonb} column.
     *
     * @param text the text to check (not null)
     * @return null when the text is valid and {@code jsonb} can store it, else what is wrong and where
     */
    public static @Nullable String jsonbSyntaxError(String text) {
        return errorOf(text, true);
    }

    private static @Nullable String errorOf(String text, boolean jsonb) {
        try {
            new JsonText(text, jsonb).document();
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    /**
     * Parses one JSON value into plain Java values: objects become {@code Map<String, Object>}
     * ({@link LinkedHashMap}, in document order; for a repeated name the last value wins), arrays
     * {@code List<Object>} ({@link ArrayList}), strings {@link String}, numbers {@link BigDecimal}
     * (always, so no digit is lost: {@code 1} is {@code BigDecimal("1")}, {@code 2.5e3} is
     * {@code BigDecimal("2.5E+3")}), {@code true}/{@code false} {@link Boolean}, and {@code null}
     * Java {@code null}. The maps and lists are mutable and belong to the caller.
     *
     * @param text the text to parse (not null)
     * @return the value, which is null for the text {@code null}
     * @throws IllegalArgumentException when the text is not exactly one valid JSON value; the message
     *                                  is the one {@link #syntaxError(String)} returns
     * @throws NullPointerException     when {@code text} is null
     */
    public static @Nullable Object parse(String text) {
        return new JsonText(text, false).document();
    }

    private @Nullable Object document() {
        if (text == null) {
            throw new NullPointerException("text must not be null");
        }
        ws();
        Object v = value(0);
        ws();
        if (pos != text.length()) {
            throw error("unexpected " + found() + " after the JSON value");
        }
        return v;
    }

    private @Nullable Object value(int depth) {
        if (pos >= text.length()) {
            throw error("expected a value but the text ended");
        }
        char c = text.charAt(pos);
        switch (c) {
            case '{':
                return object(depth + 1);
            case '[':
                return array(depth + 1);
            case '"':
                return string();
            case 't':
                literal("true");
                return Boolean.TRUE;
            case 'f':
                literal("false");
                return Boolean.FALSE;
            case 'n':
                literal("null");
                return null;
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return number();
                }
                throw error("expected a value but found " + found());
        }
    }

    private Map<String, Object> object(int depth) {
        nest(depth);
        pos++;
        Map<String, Object> m = new LinkedHashMap<>();
        ws();
        if (peek('}')) {
            pos++;
            return m;
        }
        while (true) {
            ws();
            if (!peek('"')) {
                throw error("expected a member name in double quotes but found " + found());
            }
            String k = string();
            ws();
            expect(':');
            ws();
            m.put(k, value(depth));
            ws();
            if (peek(',')) {
                pos++;
            } else if (peek('}')) {
                pos++;
                return m;
            } else {
                throw error("expected ',' or '}' but found " + found());
            }
        }
    }

    private List<Object> array(int depth) {
        nest(depth);
        pos++;
        List<Object> l = new ArrayList<>();
        ws();
        if (peek(']')) {
            pos++;
            return l;
        }
        while (true) {
            ws();
            l.add(value(depth));
            ws();
            if (peek(',')) {
                pos++;
            } else if (peek(']')) {
                pos++;
                return l;
            } else {
                throw error("expected ',' or ']' but found " + found());
            }
        }
    }

    private void nest(int depth) {
        if (depth > MAX_DEPTH) {
            throw error("nested deeper than " + MAX_DEPTH + " levels");
        }
    }

    private BigDecimal number() {
        int start = pos;
        if (peek('-')) {
            pos++;
        }
        if (peek('0')) {
            pos++;
            if (digit()) {
                throw error("a number must not have a leading zero");
            }
        } else if (digit()) {
            while (digit()) {
                pos++;
            }
        } else {
            throw error("expected a digit but found " + found());
        }
        if (peek('.')) {
            pos++;
            if (!digit()) {
                throw error("expected a digit after '.' but found " + found());
            }
            while (digit()) {
                pos++;
            }
        }
        if (peek('e') || peek('E')) {
            pos++;
            if (peek('+') || peek('-')) {
                pos++;
            }
            if (!digit()) {
                throw error("expected a digit in the exponent but found " + found());
            }
            while (digit()) {
                pos++;
            }
        }
        try {
            return new BigDecimal(text.substring(start, pos));
        } catch (NumberFormatException | ArithmeticException e) {
            // only an exponent beyond what BigDecimal can hold (about 2^31) gets here
            pos = start;
            throw error("number out of range");
        }
    }

    private boolean digit() {
        return pos < text.length() && text.charAt(pos) >= '0' && text.charAt(pos) <= '9';
    }

    private String string() {
        int open = pos;
        pos++;
        StringBuilder sb = new StringBuilder();
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '"') {
                pos++;
                return sb.toString();
            }
            if (c < 0x20) {
                throw error("unescaped control character U+00" + HEX[c >> 4] + HEX[c & 0xf] + " in a string");
            }
            if (c != '\\') {
                if (jsonb && Character.isSurrogate(c)) {
                    // PostgreSQL's UTF-8 text has no form for half a pair: the driver would send '?' instead
                    if (Character.isLowSurrogate(c) || pos + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(pos + 1))) {
                        throw error(String.format("unpaired UTF-16 surrogate U+%04X in a string (no UTF-8 form)", (int) c));
                    }
                    sb.append(c).append(text.charAt(pos + 1));
                    pos += 2;
                    continue;
                }
                sb.append(c);
                pos++;
                continue;
            }
            if (pos + 1 >= text.length()) {
                break;
            }
            char e = text.charAt(pos + 1);
            switch (e) {
                case '"', '\\', '/' -> sb.append(e);
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    int v = 0;
                    for (int i = 2; i < 6; i++) {
                        int d = pos + i < text.length() ? Character.digit(text.charAt(pos + i), 16) : -1;
                        if (d < 0 || text.charAt(pos + i) > 'f') {
                            throw error("bad \\u escape: expected 4 hex digits");
                        }
                        v = v * 16 + d;
                    }
                    if (v == 0 && jsonb) {
                        throw error("\\u0000 is not allowed (PostgreSQL jsonb cannot store it)");
                    }
                    if (jsonb && Character.isSurrogate((char) v) && !escapedPairAt(v)) {
                        throw error(String.format("unpaired UTF-16 surrogate escape \\u%04x in a string (PostgreSQL jsonb refuses it)", v));
                    }
                    sb.append((char) v);
                    pos += 4;
                }
                default -> throw error("bad escape '\\" + e + "'");
            }
            pos += 2;
        }
        pos = open;
        throw error("unterminated string");
    }

    /** Whether the escape at {@code pos} ({@code v}, a surrogate) is a high one followed by an escaped low one, or the low half of such a pair. */
    private boolean escapedPairAt(int v) {
        if (Character.isHighSurrogate((char) v)) {
            return pos + 11 < text.length() && text.charAt(pos + 6) == '\\' && text.charAt(pos + 7) == 'u'
                    && Character.isLowSurrogate((char) hex4(pos + 8));
        }
        // a low half is valid only right after an escaped high half
        return pos >= 6 && text.charAt(pos - 6) == '\\' && text.charAt(pos - 5) == 'u'
                && Character.isHighSurrogate((char) hex4(pos - 4));
    }

    /** The value of the 4 hex digits at {@code at}, or -1. */
    private int hex4(int at) {
        if (at < 0 || at + 4 > text.length()) {
            return -1;
        }
        int v = 0;
        for (int i = at; i < at + 4; i++) {
            int d = Character.digit(text.charAt(i), 16);
            if (d < 0) {
                return -1;
            }
            v = v * 16 + d;
        }
        return v;
    }

    private void literal(String word) {
        if (!text.startsWith(word, pos)) {
            throw error("expected a value but found " + found());
        }
        pos += word.length();
    }

    private boolean peek(char c) {
        return pos < text.length() && text.charAt(pos) == c;
    }

    private void expect(char c) {
        if (!peek(c)) {
            throw error("expected '" + c + "' but found " + found());
        }
        pos++;
    }

    private void ws() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                pos++;
            } else {
                return;
            }
        }
    }

    private String found() {
        if (pos >= text.length()) {
            return "the end of the text";
        }
        char c = text.charAt(pos);
        if (c < 0x20 || c == 0x7f || Character.isSurrogate(c)) {
            return "U+" + HEX[(c >> 12) & 0xf] + HEX[(c >> 8) & 0xf] + HEX[(c >> 4) & 0xf] + HEX[c & 0xf];
        }
        return "'" + c + "'";
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException(what + " at character " + (pos + 1));
    }
}
