package dev.opskit.migrationguard.internal;

import dev.opskit.migrationguard.internal.Token.Type;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A PostgreSQL lexer following the server's lexical rules: {@code --} and nested {@code /* *}{@code /}
 * comments, standard strings ({@code ''} escape, standard_conforming_strings on), {@code E''} strings
 * with backslash escapes, {@code B''}/{@code X''}/{@code N''}, {@code U&''} strings and
 * {@code U&""} identifiers, dollar quoting with optional tags (not confused with {@code $1}
 * parameters or {@code $} inside identifiers), quoted identifiers, numbers and operators. It never
 * throws: unterminated constructs become one {@link Type#ERROR} token running to the end of input.
 * Migration-tool placeholders such as Flyway's {@code ${schema}} (not PostgreSQL syntax) are read
 * as names, so {@code ALTER TABLE ${schema}.users ...} is still understood.
 */
public final class Lexer {
    private final String s;
    private final int end;
    private final List<Token> out;
    private int pos;
    private int line;
    private int lineStart;

    private Lexer(String s, int from, int to, int line, int column) {
        this.s = s;
        this.pos = from;
        this.end = to;
        this.line = line;
        this.lineStart = from - (column - 1);
        this.out = new ArrayList<>(Math.max(16, (to - from) / 5));
    }

    /** Lexes the whole string, positions starting at line 1, column 1. */
    public static List<Token> lex(String s) {
        return lex(s, 0, s.length(), 1, 1);
    }

    /** Lexes {@code s[from, to)}, where {@code from} sits at the given line and column of the file. */
    public static List<Token> lex(String s, int from, int to, int line, int column) {
        Lexer lx = new Lexer(s, from, to, line, column);
        lx.run();
        return lx.out;
    }

    private char at(int i) {
        return i < end ? s.charAt(i) : '\0';
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == 0x0B;
    }

    static boolean identStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
    }

    static boolean identCont(char c) {
        return identStart(c) || (c >= '0' && c <= '9') || c == '$';
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isOpChar(char c) {
        return "+-*/<>=~!@#%^&|`?".indexOf(c) >= 0;
    }

    private void run() {
        while (pos < end) {
            char c = s.charAt(pos);
            if (c == '\n') {
                pos++;
                line++;
                lineStart = pos;
                continue;
            }
            if (isSpace(c)) {
                pos++;
                continue;
            }
            int start = pos;
            int tl = line;
            int tc = pos - lineStart + 1;
            char n1 = at(pos + 1);
            if (c == '-' && n1 == '-') {
                int e = s.indexOf('\n', pos);
                e = (e < 0 || e > end) ? end : e;
                pos = e;
                add(Type.COMMENT, start, tl, tc, null);
            } else if (c == '/' && n1 == '*') {
                blockComment(start, tl, tc);
            } else if (c == '\'') {
                quoted(start, pos + 1, '\'', false, Type.STRING, tl, tc, "string");
            } else if ((c == 'E' || c == 'e') && n1 == '\'') {
                quoted(start, pos + 2, '\'', true, Type.STRING, tl, tc, "string");
            } else if ((c == 'B' || c == 'b' || c == 'X' || c == 'x' || c == 'N' || c == 'n') && n1 == '\'') {
                quoted(start, pos + 2, '\'', false, Type.STRING, tl, tc, "string");
            } else if ((c == 'U' || c == 'u') && n1 == '&' && at(pos + 2) == '\'') {
                quoted(start, pos + 3, '\'', false, Type.STRING, tl, tc, "Unicode string");
            } else if ((c == 'U' || c == 'u') && n1 == '&' && at(pos + 2) == '"') {
                quoted(start, pos + 3, '"', false, Type.QUOTED_IDENT, tl, tc, "Unicode quoted identifier");
            } else if (c == '"') {
                quoted(start, pos + 1, '"', false, Type.QUOTED_IDENT, tl, tc, "quoted identifier");
            } else if (c == '$') {
                dollar(start, tl, tc);
            } else if (identStart(c)) {
                pos++;
                while (pos < end && identCont(s.charAt(pos))) {
                    pos++;
                }
                add(Type.IDENT, start, tl, tc, null);
            } else if (isDigit(c) || (c == '.' && isDigit(n1))) {
                number(start, tl, tc);
            } else {
                pos++;
                switch (c) {
                    case '(' -> add(Type.LPAREN, start, tl, tc, null);
                    case ')' -> add(Type.RPAREN, start, tl, tc, null);
                    case '[' -> add(Type.LBRACKET, start, tl, tc, null);
                    case ']' -> add(Type.RBRACKET, start, tl, tc, null);
                    case ',' -> add(Type.COMMA, start, tl, tc, null);
                    case ';' -> add(Type.SEMICOLON, start, tl, tc, null);
                    case '.' -> add(Type.DOT, start, tl, tc, null);
                    case ':' -> {
                        if (at(pos) == ':' || at(pos) == '=') {
                            pos++;
                        }
                        add(Type.COLON, start, tl, tc, null);
                    }
                    default -> {
                        if (isOpChar(c)) {
                            while (pos < end && isOpChar(s.charAt(pos))
                                    && !(s.charAt(pos) == '-' && at(pos + 1) == '-')
                                    && !(s.charAt(pos) == '/' && at(pos + 1) == '*')) {
                                pos++;
                            }
                            add(Type.OPERATOR, start, tl, tc, null);
                        } else {
                            add(Type.OTHER, start, tl, tc, null);
                        }
                    }
                }
            }
        }
    }

    private void add(Type type, int start, int tl, int tc, @Nullable String error) {
        out.add(new Token(type, s, start, pos, tl, tc, error));
    }

    /** Moves pos to {@code target}, counting the newlines passed. */
    private void advanceTo(int target) {
        for (int i = pos; i < target; i++) {
            if (s.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        pos = target;
    }

    private void blockComment(int start, int tl, int tc) {
        int depth = 0;
        int i = pos;
        while (i < end) {
            char c = s.charAt(i);
            if (c == '/' && at(i + 1) == '*') {
                depth++;
                i += 2;
            } else if (c == '*' && at(i + 1) == '/') {
                depth--;
                i += 2;
                if (depth == 0) {
                    advanceTo(i);
                    add(Type.COMMENT, start, tl, tc, null);
                    return;
                }
            } else {
                i++;
            }
        }
        advanceTo(end);
        add(Type.ERROR, start, tl, tc, "unterminated /* comment");
    }

    private void quoted(int start, int bodyStart, char q, boolean backslash, Type type, int tl, int tc, String what) {
        int i = bodyStart;
        while (i < end) {
            char c = s.charAt(i);
            if (backslash && c == '\\') {
                i += 2;
            } else if (c == q) {
                if (at(i + 1) == q) {
                    i += 2;
                } else {
                    advanceTo(i + 1);
                    add(type, start, tl, tc, null);
                    return;
                }
            } else {
                i++;
            }
        }
        advanceTo(end);
        add(Type.ERROR, start, tl, tc, "unterminated " + what);
    }

    private void dollar(int start, int tl, int tc) {
        char n1 = at(pos + 1);
        if (n1 == '{') {
            // a migration tool's placeholder (Flyway ${schema}): not PostgreSQL syntax, read as a name
            int close = s.indexOf('}', pos + 2);
            int nl = s.indexOf('\n', pos + 2);
            if (close > 0 && close < end && (nl < 0 || close < nl)) {
                pos = close + 1;
                add(Type.IDENT, start, tl, tc, null);
                return;
            }
        }
        if (isDigit(n1)) {
            pos++;
            while (pos < end && isDigit(s.charAt(pos))) {
                pos++;
            }
            add(Type.PARAM, start, tl, tc, null);
            return;
        }
        int i = pos + 1;
        if (n1 != '$') {
            if (!identStart(n1)) {
                pos++;
                add(Type.OTHER, start, tl, tc, null);
                return;
            }
            while (i < end && identCont(s.charAt(i)) && s.charAt(i) != '$') {
                i++;
            }
            if (at(i) != '$') {
                pos++;
                add(Type.OTHER, start, tl, tc, null);
                return;
            }
        }
        String tag = s.substring(pos, i + 1);
        int close = s.indexOf(tag, i + 1);
        if (close < 0 || close + tag.length() > end) {
            advanceTo(end);
            add(Type.ERROR, start, tl, tc, "unterminated dollar-quoted string " + tag);
            return;
        }
        advanceTo(close + tag.length());
        add(Type.DOLLAR_STRING, start, tl, tc, null);
    }

    private void number(int start, int tl, int tc) {
        char c = s.charAt(pos);
        char n1 = at(pos + 1);
        if (c == '0' && "xXoObB".indexOf(n1) >= 0 && n1 != '\0') {
            pos += 2;
            while (pos < end && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '_')) {
                pos++;
            }
            add(Type.NUMBER, start, tl, tc, null);
            return;
        }
        while (pos < end && (isDigit(s.charAt(pos)) || s.charAt(pos) == '_')) {
            pos++;
        }
        if (at(pos) == '.' && at(pos + 1) != '.') {
            pos++;
            while (pos < end && (isDigit(s.charAt(pos)) || s.charAt(pos) == '_')) {
                pos++;
            }
        }
        char e = at(pos);
        if ((e == 'e' || e == 'E') && (isDigit(at(pos + 1))
                || ((at(pos + 1) == '+' || at(pos + 1) == '-') && isDigit(at(pos + 2))))) {
            pos += 2;
            while (pos < end && isDigit(s.charAt(pos))) {
                pos++;
            }
        }
        add(Type.NUMBER, start, tl, tc, null);
    }
}
