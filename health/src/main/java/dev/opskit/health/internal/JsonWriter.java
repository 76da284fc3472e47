package dev.opskit.health.internal;

import java.util.Map;

/**
 * A minimal streaming JSON writer into a {@link StringBuilder}, with correct string escaping:
 * quotes, backslashes, every control character, U+2028/U+2029 (which break JavaScript), and lone
 * surrogates (escaped, so the output is always valid UTF-8). Commas are placed automatically.
 * Not part of the API.
 */
public final class JsonWriter {
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final int MAX_DEPTH = 32;

    private final StringBuilder out;
    private final boolean[] needsComma = new boolean[MAX_DEPTH + 1];
    private int depth;
    private boolean afterName;

    public JsonWriter(StringBuilder out) {
        this.out = out;
    }

    public JsonWriter beginObject() {
        return open('{');
    }

    public JsonWriter endObject() {
        return close('}');
    }

    public JsonWriter beginArray() {
        return open('[');
    }

    public JsonWriter endArray() {
        return close(']');
    }

    /** Writes an object key; the next call writes its value. */
    public JsonWriter name(String name) {
        comma();
        string(name);
        out.append(':');
        afterName = true;
        return this;
    }

    public JsonWriter value(String value) {
        if (value == null) {
            return nullValue();
        }
        comma();
        string(value);
        return this;
    }

    public JsonWriter value(long value) {
        comma();
        out.append(value);
        return this;
    }

    public JsonWriter value(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return value(Double.toString(value));
        }
        comma();
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            out.append((long) value);
        } else {
            out.append(value);
        }
        return this;
    }

    public JsonWriter value(boolean value) {
        comma();
        out.append(value);
        return this;
    }

    public JsonWriter nullValue() {
        comma();
        out.append("null");
        return this;
    }

    /**
     * Writes a detail value: strings, numbers and booleans as themselves, maps as objects, iterables
     * and arrays of objects as arrays (nesting up to a few levels), anything else as its
     * {@code toString()}. Strings longer than {@code maxString} characters are cut with an ellipsis.
     */
    public JsonWriter any(Object value, int maxString) {
        if (value == null) {
            return nullValue();
        }
        if (value instanceof Boolean b) {
            return value(b.booleanValue());
        }
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            return value(((Number) value).longValue());
        }
        if (value instanceof Number n) {
            if (value instanceof Double || value instanceof Float) {
                return value(n.doubleValue());
            }
            return value(cut(n.toString(), maxString));
        }
        if (depth < 6 && value instanceof Map<?, ?> map) {
            beginObject();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                name(cut(String.valueOf(e.getKey()), maxString));
                any(e.getValue(), maxString);
            }
            return endObject();
        }
        if (depth < 6 && value instanceof Iterable<?> it) {
            beginArray();
            for (Object o : it) {
                any(o, maxString);
            }
            return endArray();
        }
        if (depth < 6 && value instanceof Object[] array) {
            beginArray();
            for (Object o : array) {
                any(o, maxString);
            }
            return endArray();
        }
        return value(cut(String.valueOf(value), maxString));
    }

    private static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, Math.max(0, max - 1)) + "…";
    }

    private JsonWriter open(char c) {
        if (depth >= MAX_DEPTH) {
            throw new IllegalStateException("JSON nested deeper than " + MAX_DEPTH);
        }
        comma();
        out.append(c);
        depth++;
        needsComma[depth] = false;
        return this;
    }

    private JsonWriter close(char c) {
        out.append(c);
        depth--;
        return this;
    }

    private void comma() {
        if (afterName) {
            afterName = false;
            return;
        }
        if (needsComma[depth]) {
            out.append(',');
        }
        needsComma[depth] = true;
    }

    private void string(String s) {
        out.append('"');
        int len = s.length();
        for (int i = 0; i < len; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029') {
                        unicode(c);
                    } else if (Character.isHighSurrogate(c)) {
                        if (i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
                            out.append(c).append(s.charAt(++i));
                        } else {
                            unicode(c);
                        }
                    } else if (Character.isLowSurrogate(c)) {
                        unicode(c);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private void unicode(char c) {
        out.append("\\u").append(HEX[(c >> 12) & 0xf]).append(HEX[(c >> 8) & 0xf]).append(HEX[(c >> 4) & 0xf]).append(HEX[c & 0xf]);
    }
}
