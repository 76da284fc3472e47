package dev.opskit.jobqueue.internal;

import dev.opskit.core.internal.json.JsonText;
import dev.opskit.core.internal.json.JsonWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Writes the small JSON objects of the error history, with correct escaping. */
public final class Json {
    /** Stack traces in the error history are cut to this many characters. */
    public static final int MAX_STACK = 4000;
    private static final int MAX_MESSAGE = 2000;
    /** Stack frames kept per attempt in a dead letter's error history. */
    public static final int HISTORY_FRAMES = 5;

    private Json() {
    }

    /** One entry of a job's error history. */
    public static String error(int attempt, Instant at, String type, @Nullable String message, String reason,
                               @Nullable Throwable error) {
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

    /**
     * The error history {@code errorsJson} (a JSON array of {@link #error} entries) for a dead
     * letter's error history: every entry keeps its fields, but its {@code stack}
     * keeps only the first {@link #HISTORY_FRAMES} frames of the outermost exception and a
     * {@code "\t... N more"} line (the exception's type and message are fields of their own).
     * Text that is not such an array is returned unchanged.
     */
    public static String history(String errorsJson) {
        Object parsed;
        try {
            parsed = JsonText.parse(errorsJson);
        } catch (IllegalArgumentException e) {
            return errorsJson;
        }
        if (!(parsed instanceof List<?> entries)) {
            return errorsJson;
        }
        JsonWriter w = new JsonWriter(new StringBuilder(256 * (entries.size() + 1))).beginArray();
        for (Object entry : entries) {
            if (entry instanceof Map<?, ?> fields) {
                w.beginObject();
                for (Map.Entry<?, ?> f : fields.entrySet()) {
                    String name = String.valueOf(f.getKey());
                    Object v = f.getValue();
                    scalar(w.name(name), name.equals("stack") && v instanceof String st ? shortStack(st, HISTORY_FRAMES) : v);
                }
                w.endObject();
            } else {
                scalar(w, entry);
            }
        }
        return w.endArray().toString();
    }

    /**
     * The first {@code frames} {@code at} lines of the outermost exception in {@code stack} (a
     * printed stack trace, possibly cut), then {@code "\t... N more"} for the frames left out.
     */
    static String shortStack(String stack, int frames) {
        StringBuilder b = new StringBuilder();
        int kept = 0;
        int more = 0;
        for (String line : stack.split("\r?\n")) {
            String t = line.strip();
            if (t.startsWith("Caused by:") || t.startsWith("Suppressed:")) {
                break;
            }
            if (!t.startsWith("at ")) {
                continue; // the exception's own line(s): type and message are separate fields
            }
            if (kept < frames) {
                b.append(kept == 0 ? "" : "\n").append('\t').append(t);
                kept++;
            } else {
                more++;
            }
        }
        if (more > 0) {
            b.append("\n\t... ").append(more).append(" more");
        }
        return b.toString();
    }

    private static void scalar(JsonWriter w, Object v) {
        if (v == null) {
            w.nullValue();
        } else if (v instanceof BigDecimal n) {
            if (n.signum() == 0 || n.stripTrailingZeros().scale() <= 0 && n.abs().compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) <= 0) {
                w.value(n.longValue());
            } else {
                w.value(n.doubleValue());
            }
        } else if (v instanceof Boolean bool) {
            w.value(bool.booleanValue());
        } else {
            // entries hold only strings, numbers and null; anything nested is kept as its text
            w.value(clean(String.valueOf(v)));
        }
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
    public static void string(StringBuilder b, @Nullable String s) {
        JsonText.quote(b, clean(s));
    }

    private static @Nullable String clean(@Nullable String s) {
        return s == null ? null : s.replace('\0', '\uFFFD');
    }
}
