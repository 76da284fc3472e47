package dev.opskit.migrationguard.internal;

import org.jspecify.annotations.Nullable;

/** One lexical token with its position in the file (1-based line and column). */
public final class Token {
    /** Token kinds, following PostgreSQL's lexer (scan.l) closely enough for linting. */
    public enum Type {
        IDENT, QUOTED_IDENT, STRING, DOLLAR_STRING, NUMBER, PARAM, OPERATOR,
        LPAREN, RPAREN, LBRACKET, RBRACKET, COMMA, SEMICOLON, DOT, COLON, COMMENT, OTHER,
        /** An unterminated string, comment, identifier or dollar quote: runs to the end of input. */
        ERROR
    }

    final Type type;
    final String src;
    final int start;
    final int end;
    final int line;
    final int column;
    /** For {@link Type#ERROR}: what is unterminated. */
    final @Nullable String error;
    private @Nullable String text;

    Token(Type type, String src, int start, int end, int line, int column, @Nullable String error) {
        this.type = type;
        this.src = src;
        this.start = start;
        this.end = end;
        this.line = line;
        this.column = column;
        this.error = error;
    }

    public Type type() {
        return type;
    }

    public int line() {
        return line;
    }

    public int column() {
        return column;
    }

    public String text() {
        String t = text;
        if (t == null) {
            t = src.substring(start, end);
            text = t;
        }
        return t;
    }

    /** True for an unquoted identifier or keyword equal to {@code kw}, ignoring case. */
    boolean is(String kw) {
        return type == Type.IDENT && end - start == kw.length() && src.regionMatches(true, start, kw, 0, kw.length());
    }

    boolean isName() {
        return type == Type.IDENT || type == Type.QUOTED_IDENT;
    }

    /**
     * The identifier as PostgreSQL sees it: unquoted names folded to lower case, quoted names with
     * {@code ""} unescaped.
     */
    String name() {
        if (type == Type.QUOTED_IDENT) {
            String t = text();
            int open = t.indexOf('"');
            return t.substring(open + 1, Math.max(open + 1, t.length() - 1)).replace("\"\"", "\"");
        }
        return text().toLowerCase(java.util.Locale.ROOT);
    }

    /** The value of a string literal (standard, E, U&, or dollar-quoted); null for other tokens. */
    @Nullable String stringValue() {
        String t = text();
        if (type == Type.DOLLAR_STRING) {
            int tagEnd = t.indexOf('$', 1) + 1;
            int closeLen = tagEnd;
            return t.substring(tagEnd, t.length() - closeLen);
        }
        if (type != Type.STRING) {
            return null;
        }
        char first = t.charAt(0);
        if (first == 'E' || first == 'e') {
            return unescapeE(t.substring(2, t.length() - 1));
        }
        int q = t.indexOf('\'');
        return t.substring(q + 1, t.length() - 1).replace("''", "'");
    }

    private static String unescapeE(String body) {
        StringBuilder sb = new StringBuilder(body.length());
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c == '\'' && i + 1 < body.length() && body.charAt(i + 1) == '\'') {
                sb.append('\'');
                i++;
            } else if (c == '\\' && i + 1 < body.length()) {
                char n = body.charAt(++i);
                switch (n) {
                    case 'n' -> sb.append('\n');
                    case 't' -> sb.append('\t');
                    case 'r' -> sb.append('\r');
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    default -> sb.append(n);
                }
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return type + "(" + text() + ")@" + line + ":" + column;
    }
}
