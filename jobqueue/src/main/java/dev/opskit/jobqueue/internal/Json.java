package dev.opskit.jobqueue.internal;

import dev.opskit.core.json.JsonText;
import dev.opskit.core.json.JsonWriter;
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
        JsonWriter w = new JsonWriter(new StringBuilder(256)).beginObject()
                .name("attempt").value(attempt)
                .name("at").value(clean(at.toString()))
                .name("type").value(clean(type))
                .name("message").value(clean(message == null ? null : cut(message, MAX_MESSAGE)))
                .name("reason").value(clean(reason));
        if (error != null) {
            Throwable root = error;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            if (root != error) {
                w.name("cause").value(clean(root.getClass().getName()));
            }
            w.name("stack").value(clean(stack(error)));
        }
        return w.endObject().toString();
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

    /** Appends {@code s} as a JSON string, or {@code null}; U+0000, which jsonb refuses, becomes U+FFFD. */
    public static void string(StringBuilder b, String s) {
        JsonText.quote(b, clean(s));
    }

    private static String clean(String s) {
        return s == null ? null : s.replace('\0', '\uFFFD');
    }
}
