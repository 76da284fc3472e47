package dev.opskit.migrationguard.internal;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One SQL statement: its code tokens (comments removed), the comments directly above it (where
 * inline approvals live), and its position.
 */
public final class Statement {
    final String src;
    final List<Token> code;
    final List<Token> leadingComments;
    /** Comments between the statement's first and last token (in a DO body: above its inner statements). */
    final List<Token> innerComments;
    /** The first unterminated string/comment/dollar quote inside the statement, or null. */
    final @Nullable Token error;
    /** For a statement found inside a DO block: the DO statement; else null. */
    @Nullable Statement parent;
    private @Nullable String fingerprint;
    /** Rules already reported on this statement (one finding per rule and statement). */
    java.util.@Nullable EnumSet<dev.opskit.migrationguard.Rule> reported;

    Statement(String src, List<Token> code, List<Token> leadingComments, @Nullable Token error) {
        this(src, code, leadingComments, List.of(), error);
    }

    Statement(String src, List<Token> code, List<Token> leadingComments, List<Token> innerComments, @Nullable Token error) {
        this.src = src;
        this.code = code;
        this.leadingComments = leadingComments;
        this.innerComments = innerComments;
        this.error = error;
    }

    public int line() {
        return code.get(0).line;
    }

    public int column() {
        return code.get(0).column;
    }

    /** The statement's text as written (without the terminating semicolon). */
    public String text() {
        Token first = code.get(0);
        Token last = code.get(code.size() - 1);
        if (first.src != last.src) {
            return first.text();
        }
        return src.substring(first.start, last.end);
    }

    /** The statement's fingerprint: see {@link Fingerprints}. */
    public String fingerprint() {
        String f = fingerprint;
        if (f == null) {
            f = Fingerprints.of(code);
            fingerprint = f;
        }
        return f;
    }

    List<Token> code() {
        return code;
    }
}
