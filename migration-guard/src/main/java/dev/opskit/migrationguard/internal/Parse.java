package dev.opskit.migrationguard.internal;

import dev.opskit.migrationguard.internal.Token.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** Token-level parsing helpers shared by the rules: keywords, names, parentheses and lists. */
final class Parse {
    private Parse() {
    }

    static boolean kw(List<Token> t, int i, String word) {
        return i < t.size() && t.get(i).is(word);
    }

    static boolean kw(List<Token> t, int i, String w1, String w2) {
        return kw(t, i, w1) && kw(t, i + 1, w2);
    }

    static String upper(Token t) {
        return t.type == Type.IDENT ? t.text().toUpperCase(Locale.ROOT) : "";
    }

    static boolean isOp(Token t, String op) {
        return t.type == Type.OPERATOR && t.text().equals(op);
    }

    /**
     * A possibly qualified name at {@code i}: returns the index after it, or -1; stores the name as
     * written (parts folded as PostgreSQL does, joined by dots) in {@code out[0]}, so that
     * {@code other.users} is not taken for the {@code users} this file created.
     */
    static int qname(List<Token> t, int i, String[] out) {
        if (i >= t.size() || !t.get(i).isName()) {
            return -1;
        }
        String name = t.get(i).name();
        i++;
        while (i + 1 < t.size() && t.get(i).type == Type.DOT && t.get(i + 1).isName()) {
            name = name + "." + t.get(i + 1).name();
            i += 2;
        }
        out[0] = name;
        return i;
    }

    /** Index of the token closing the parenthesis opened at {@code open} (or {@code end} if unbalanced). */
    static int closing(List<Token> t, int open, int end) {
        int depth = 0;
        for (int i = open; i < end; i++) {
            Type ty = t.get(i).type;
            if (ty == Type.LPAREN) {
                depth++;
            } else if (ty == Type.RPAREN && --depth == 0) {
                return i;
            }
        }
        return end;
    }

    /** Index of the first depth-0 token in {@code [from, end)} that is the keyword, or -1. */
    static int findTop(List<Token> t, int from, int end, String word) {
        int depth = 0;
        for (int i = from; i < end; i++) {
            Token k = t.get(i);
            if (k.type == Type.LPAREN || k.type == Type.LBRACKET) {
                depth++;
            } else if (k.type == Type.RPAREN || k.type == Type.RBRACKET) {
                depth = Math.max(0, depth - 1);
            } else if (depth == 0 && k.is(word)) {
                return i;
            }
        }
        return -1;
    }

    static boolean containsSeq(List<Token> t, int from, int end, String w1, String w2) {
        for (int i = from; i + 1 < end; i++) {
            if (t.get(i).is(w1) && t.get(i + 1).is(w2)) {
                return true;
            }
        }
        return false;
    }

    /** Splits {@code [from, end)} at depth-0 commas into [start, end) pairs. */
    static List<int[]> splitTop(List<Token> t, int from, int end) {
        List<int[]> parts = new ArrayList<>();
        int depth = 0;
        int start = from;
        for (int i = from; i < end; i++) {
            Type ty = t.get(i).type;
            if (ty == Type.LPAREN || ty == Type.LBRACKET) {
                depth++;
            } else if (ty == Type.RPAREN || ty == Type.RBRACKET) {
                depth = Math.max(0, depth - 1);
            } else if (ty == Type.COMMA && depth == 0) {
                parts.add(new int[] {start, i});
                start = i + 1;
            }
        }
        parts.add(new int[] {start, end});
        return parts;
    }

    /** Names of a comma-separated list (DROP TABLE a, b / TRUNCATE a, b), skipping ONLY and '*'. */
    static List<String> nameList(List<Token> t, int i) {
        List<String> names = new ArrayList<>();
        String[] out = new String[1];
        while (i < t.size()) {
            if (kw(t, i, "ONLY")) {
                i++;
            }
            int next = qname(t, i, out);
            if (next < 0) {
                break;
            }
            names.add(out[0]);
            i = next;
            if (i < t.size() && isOp(t.get(i), "*")) {
                i++;
            }
            if (i < t.size() && t.get(i).type == Type.LPAREN) {
                i = closing(t, i, t.size()) + 1;
            }
            if (i < t.size() && t.get(i).type == Type.COMMA) {
                i++;
            } else {
                break;
            }
        }
        return names;
    }

    static String joined(List<String> names) {
        return names.isEmpty() ? "?" : String.join(", ", names);
    }

    static String nameAfterTable(Statement st) {
        List<Token> t = st.code;
        for (int i = 0; i < t.size(); i++) {
            if (t.get(i).is("TABLE")) {
                int j = i + 1;
                if (kw(t, j, "IF")) {
                    j += 3;
                }
                String[] out = new String[1];
                return qname(t, j, out) > 0 ? out[0] : "?";
            }
        }
        return "?";
    }

    static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }

    /** For a {@code DROP [COLUMN] [IF EXISTS] name} action in {@code [a, b)}: the index of the name; else -1. */
    static int droppedColumn(List<Token> t, int a, int b) {
        if (a >= b || !t.get(a).is("DROP") || kw(t, a + 1, "CONSTRAINT")) {
            return -1;
        }
        int c = kw(t, a + 1, "COLUMN") ? a + 2 : a + 1;
        return kw(t, c, "IF", "EXISTS") ? c + 2 : c;
    }

    static boolean isTableConstraintStart(Token k) {
        return k.is("CONSTRAINT") || k.is("PRIMARY") || k.is("UNIQUE") || k.is("FOREIGN") || k.is("CHECK") || k.is("EXCLUDE");
    }

    /**
     * The value of a boolean option in a parenthesised option list ({@code (CONCURRENTLY false,
     * VERBOSE)}) opened at {@code open}: true when named alone or with a true value, false with
     * false/off/no/0, null when the list does not name it.
     */
    static @Nullable Boolean option(List<Token> t, int open, String name) {
        int close = closing(t, open, t.size());
        for (int[] el : splitTop(t, open + 1, close)) {
            if (el[0] < el[1] && t.get(el[0]).is(name)) {
                if (el[1] - el[0] == 1) {
                    return Boolean.TRUE;
                }
                Token v = t.get(el[0] + 1);
                String value = (v.type == Type.STRING ? String.valueOf(v.stringValue()) : v.text()).toLowerCase(Locale.ROOT);
                // PostgreSQL reads any prefix of false/no, off/of, and 0 as false
                return !(value.startsWith("f") || value.startsWith("n") || value.startsWith("of") || value.equals("0"));
            }
        }
        return null;
    }

    static boolean containsAt(List<Token> t, int from, int to, String word) {
        for (int i = from; i < to; i++) {
            if (t.get(i).is(word)) {
                return true;
            }
        }
        return false;
    }
}
