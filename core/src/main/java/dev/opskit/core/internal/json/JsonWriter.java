package dev.opskit.core.internal.json;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Writes JSON as a stream of calls into a {@link StringBuilder}: commas and colons are placed
 * automatically and strings are escaped as {@link JsonText#quote(StringBuilder, String)} does.
 *
 * <pre>{@code
 * String json = new JsonWriter().beginObject()
 *         .name("status").value("UP")
 *         .name("checks").beginArray().value("db").endArray()
 *         .endObject().toString();   // {"status":"UP","checks":["db"]}
 * }</pre>
 *
 * <p>The writer does not check that calls are balanced or that every value in an object has a
 * name: it is meant for code that writes a fixed shape. It refuses nesting deeper than
 * {@link JsonText#MAX_DEPTH} and closing more than was opened, with an {@link IllegalStateException}.
 * Not thread-safe: use one writer per document.
 */
public final class JsonWriter {
    private final StringBuilder out;
    /** needsComma[d]: the container at depth d already holds a value. */
    private boolean[] needsComma = new boolean[16];
    private int depth;
    private boolean afterName;

    /** A writer into a new buffer; {@link #toString()} returns what was written. */
    public JsonWriter() {
        this(new StringBuilder(256));
    }

    /**
     * A writer that appends to {@code out}.
     *
     * @param out the buffer to append to (not null)
     */
    public JsonWriter(StringBuilder out) {
        this.out = Objects.requireNonNull(out, "out must not be null");
    }

    /** Starts an object: <code>{</code>. */
    public JsonWriter beginObject() {
        return open('{');
    }

    /** Ends the current object: <code>}</code>. */
    public JsonWriter endObject() {
        return close('}');
    }

    /** Starts an array: {@code [}. */
    public JsonWriter beginArray() {
        return open('[');
    }

    /** Ends the current array: {@code ]}. */
    public JsonWriter endArray() {
        return close(']');
    }

    /**
     * Writes an object member's name; the next call writes its value.
     *
     * @param name the name (not null)
     */
    public JsonWriter name(String name) {
        Objects.requireNonNull(name, "name must not be null");
        comma();
        JsonText.quote(out, name).append(':');
        afterName = true;
        return this;
    }

    /** Writes a string value, escaped, or {@code null} when {@code value} is null. */
    public JsonWriter value(@Nullable String value) {
        comma();
        JsonText.quote(out, value);
        return this;
    }

    /** Writes an integer value. */
    public JsonWriter value(long value) {
        comma();
        out.append(value);
        return this;
    }

    /**
     * Writes a number. A whole number below 10<sup>15</sup> in magnitude is written without a
     * fraction ({@code 3.0} as {@code 3}); NaN and the infinities, which JSON cannot represent as
     * numbers, are written as the strings {@code "NaN"}, {@code "Infinity"} and {@code "-Infinity"}.
     */
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

    /** Writes {@code true} or {@code false}. */
    public JsonWriter value(boolean value) {
        comma();
        out.append(value);
        return this;
    }

    /** Writes {@code null}. */
    public JsonWriter nullValue() {
        comma();
        out.append("null");
        return this;
    }

    /** How many arrays and objects are open: 0 at the top level. */
    public int depth() {
        return depth;
    }

    /** What was written so far (the whole buffer, when the writer was given one). */
    @Override
    public String toString() {
        return out.toString();
    }

    private JsonWriter open(char c) {
        if (depth >= JsonText.MAX_DEPTH) {
            throw new IllegalStateException("JSON nested deeper than " + JsonText.MAX_DEPTH + " levels");
        }
        comma();
        out.append(c);
        depth++;
        if (depth == needsComma.length) {
            needsComma = java.util.Arrays.copyOf(needsComma, depth * 2);
        }
        needsComma[depth] = false;
        return this;
    }

    private JsonWriter close(char c) {
        if (depth == 0) {
            throw new IllegalStateException("'" + c + "' without a matching open");
        }
        out.append(c);
        depth--;
        afterName = false;
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
}
