package dev.opskit.jobqueue.internal;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;

/** Writes the small JSON objects of the error history, with correct escaping. */
public final class Json {
    /** Stack traces in the error history are cut to this many characters. */
    public static final int MAX_STACK = 4000;
    private static final int MAX_MESSAGE = 2000;

    private Json() {
    }

    /** One entry of a job's error history. */
    public static String error(int attempt, Instant at, String type, String message, String reason, Throwable error) {
        StringBuilder b = new StringBuilder(256);
        b.append("{\"attempt\":").append(attempt);
        b.append(",\"at\":");
        string(b, at.toString());
        b.append(",\"type\":");
        string(b, type);
        b.append(",\"message\":");
        string(b, message == null ? null : cut(message, MAX_MESSAGE));
        b.append(",\"reason\":");
        string(b, reason);
        if (error != null) {
            Throwable root = error;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            if (root != error) {
                b.append(",\"cause\":");
                string(b, root.getClass().getName());
            }
            b.append(",\"stack\":");
            string(b, stack(error));
        }
        return b.append('}').toString();
    }

    /** The stack trace of {@code t}, cut to {@link #MAX_STACK} characters. */
    public static String stack(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return cut(w.toString(), MAX_STACK);
    }

    static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 3) + "...";
    }

    /** Appends {@code s} as a JSON string, or {@code null}. */
    public static void string(StringBuilder b, String s) {
        if (s == null) {
            b.append("null");
            return;
        }
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        // \u0000 cannot live in jsonb; every other control character is escaped
                        b.append(c == 0 ? "\\ufffd" : String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
