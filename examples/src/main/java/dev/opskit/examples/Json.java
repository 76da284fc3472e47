package dev.opskit.examples;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;

/**
 * A tiny JSON writer for the example's answers: maps (insertion order kept), collections, strings,
 * numbers, booleans, null, {@link Instant} (ISO-8601) and {@link Duration} (ISO-8601). Anything
 * else is written as its {@code toString()}, as a string.
 */
final class Json {
    private Json() {
    }

    /** Compact JSON on one line. */
    static String write(Object value) {
        StringBuilder sb = new StringBuilder(256);
        write(sb, value, -1);
        return sb.toString();
    }

    /** Indented JSON (two spaces), for people reading curl output. */
    static String pretty(Object value) {
        StringBuilder sb = new StringBuilder(512);
        write(sb, value, 0);
        return sb.toString();
    }

    private static void newline(StringBuilder sb, int indent) {
        if (indent >= 0) {
            sb.append('\n');
            sb.append("  ".repeat(indent));
        }
    }

    /** @param indent the current depth, or -1 for compact output */
    private static void write(StringBuilder sb, Object value, int indent) {
        int inner = indent < 0 ? -1 : indent + 1;
        if (value == null) {
            sb.append("null");
        } else if (value instanceof Boolean || value instanceof Integer || value instanceof Long) {
            sb.append(value);
        } else if (value instanceof Number n) {
            double d = n.doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                sb.append("null");
            } else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
                sb.append((long) d);
            } else {
                sb.append(d);
            }
        } else if (value instanceof Map<?, ?> map) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                newline(sb, inner);
                string(sb, String.valueOf(e.getKey()));
                sb.append(indent < 0 ? ":" : ": ");
                write(sb, e.getValue(), inner);
            }
            if (!map.isEmpty()) {
                newline(sb, indent);
            }
            sb.append('}');
        } else if (value instanceof Collection<?> list) {
            sb.append('[');
            boolean first = true;
            for (Object o : list) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                newline(sb, inner);
                write(sb, o, inner);
            }
            if (!list.isEmpty()) {
                newline(sb, indent);
            }
            sb.append(']');
        } else {
            string(sb, value.toString());
        }
    }

    private static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
