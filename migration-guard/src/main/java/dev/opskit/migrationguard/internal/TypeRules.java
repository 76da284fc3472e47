package dev.opskit.migrationguard.internal;

import static dev.opskit.migrationguard.internal.Parse.*;

import dev.opskit.migrationguard.Rule;
import dev.opskit.migrationguard.internal.Token.Type;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** Rules on type names (prefer-bigint, prefer-text, prefer-timestamptz, ban-char, prefer-identity) and the column definitions they read. */
final class TypeRules {
    private static final Set<String> VOLATILE_FUNCTIONS = Set.of(
            "random", "gen_random_uuid", "uuid_generate_v1", "uuid_generate_v1mc", "uuid_generate_v4",
            "uuidv4", "uuidv7", "clock_timestamp", "timeofday", "nextval", "setseed", "random_normal",
            "txid_current", "pg_current_xact_id", "gen_random_bytes");
    private static final Set<String> COLUMN_CONSTRAINT_WORDS = Set.of(
            "CONSTRAINT", "NOT", "NULL", "DEFAULT", "PRIMARY", "UNIQUE", "REFERENCES", "CHECK", "GENERATED",
            "COLLATE", "COMPRESSION", "STORAGE", "DEFERRABLE", "INITIALLY");
    private final FileState s;

    TypeRules(FileState s) {
        this.s = s;
    }

    /** What a column definition says, as far as the rules care. */
    static final class ColumnDef {
        String name = "?";
        int typeStart;
        int typeEnd;
        boolean notNull;
        boolean hasDefault;
        /** DEFAULT NULL: no value to write, no rewrite on any version. */
        boolean defaultNull;
        boolean volatileDefault;
        @Nullable String volatileFunction;
        boolean primaryKey;
        boolean unique;
        boolean references;
        boolean check;
        boolean identity;
        boolean stored;
        boolean serial;
    }

    static boolean isColumnConstraintWord(Token k) {
        return k.type == Type.IDENT && COLUMN_CONSTRAINT_WORDS.contains(upper(k));
    }

    static ColumnDef columnDef(List<Token> t, int j, int b) {
        ColumnDef cd = new ColumnDef();
        if (j < b && t.get(j).isName()) {
            cd.name = t.get(j).name();
        }
        int k = j + 1;
        cd.typeStart = k;
        int depth = 0;
        while (k < b) {
            Token tok = t.get(k);
            if (depth == 0 && isColumnConstraintWord(tok)) {
                break;
            }
            if (tok.type == Type.LPAREN) {
                depth++;
            } else if (tok.type == Type.RPAREN) {
                depth--;
            }
            k++;
        }
        cd.typeEnd = k;
        String base = typeWords(t, cd.typeStart, cd.typeEnd);
        cd.serial = base.equals("serial") || base.equals("serial4") || base.equals("bigserial") || base.equals("serial8")
                || base.equals("smallserial") || base.equals("serial2");
        depth = 0;
        boolean inDefault = false;
        boolean inGenerated = false;
        for (; k < b; k++) {
            Token tok = t.get(k);
            if (tok.type == Type.LPAREN) {
                depth++;
                continue;
            }
            if (tok.type == Type.RPAREN) {
                depth--;
                continue;
            }
            if (depth == 0 && isColumnConstraintWord(tok)) {
                inDefault = false;
                inGenerated = false;
                switch (upper(tok)) {
                    case "DEFAULT" -> {
                        cd.hasDefault = true;
                        cd.defaultNull = kw(t, k + 1, "NULL") && (k + 2 >= b || isColumnConstraintWord(t.get(k + 2)));
                        inDefault = true;
                    }
                    case "NOT" -> cd.notNull |= kw(t, k + 1, "NULL");
                    case "PRIMARY" -> cd.primaryKey = true;
                    case "UNIQUE" -> cd.unique = true;
                    case "REFERENCES" -> cd.references = true;
                    case "CHECK" -> cd.check = true;
                    case "GENERATED" -> inGenerated = true;
                    default -> { }
                }
                continue;
            }
            if (inGenerated && tok.is("IDENTITY")) {
                cd.identity = true;
            } else if (inGenerated && depth == 0 && tok.is("STORED")) {
                cd.stored = true;
            } else if (inDefault && tok.type == Type.IDENT && k + 1 < b && t.get(k + 1).type == Type.LPAREN
                    && VOLATILE_FUNCTIONS.contains(tok.text().toLowerCase(Locale.ROOT))) {
                cd.volatileDefault = true;
                cd.volatileFunction = tok.text().toLowerCase(Locale.ROOT);
            }
        }
        return cd;
    }

    /** The words of a type at depth 0, lower-case, schema prefix dropped: "character varying", "timestamp without time zone". */
    static String typeWords(List<Token> t, int from, int to) {
        StringBuilder sb = new StringBuilder();
        int depth = 0;
        boolean qualified = false;
        for (int i = from; i < to; i++) {
            Token k = t.get(i);
            if (k.type == Type.LPAREN || k.type == Type.LBRACKET) {
                depth++;
            } else if (k.type == Type.RPAREN || k.type == Type.RBRACKET) {
                depth--;
            } else if (depth == 0 && k.type == Type.DOT) {
                sb.setLength(0);
                qualified = true;
            } else if (depth == 0 && k.type == Type.IDENT && sb.length() > 0 && k.is("ARRAY")) {
                // SQL-standard array syntax (char(2) ARRAY, int ARRAY[4]): the element type is what counts.
            } else if (depth == 0 && k.type == Type.IDENT) {
                if (sb.length() > 0) {
                    sb.append(' ');
                }
                String word = k.text().toLowerCase(Locale.ROOT);
                // Only the keyword CHAR means blank-padded bpchar; a qualified pg_catalog.char is
                // looked up by name, which finds the one-byte "char" type.
                sb.append(qualified && sb.length() == 0 && word.equals("char") ? "\"char\"" : word);
            } else if (depth == 0 && k.type == Type.QUOTED_IDENT) {
                if (sb.length() > 0) {
                    sb.append(' ');
                }
                // PostgreSQL looks a quoted type name up as written: "serial" is serial and "bpchar" is
                // bpchar; "SERIAL" names no type. "char" alone is the one-byte internal type, kept apart.
                String name = k.name();
                sb.append(name.equals("char") ? "\"char\"" : name);
            }
        }
        return sb.toString();
    }

    static boolean hasParen(List<Token> t, int from, int to) {
        for (int i = from; i < to; i++) {
            if (t.get(i).type == Type.LPAREN) {
                return true;
            }
        }
        return false;
    }

    /** The end of a type starting at {@code from}: the first depth-0 column-constraint word, or {@code b}. */
    static int typeEnd(List<Token> t, int from, int b) {
        int depth = 0;
        for (int k = from; k < b; k++) {
            Token tok = t.get(k);
            if (depth == 0 && (isColumnConstraintWord(tok) || tok.type == Type.COMMA)) {
                return k;
            }
            if (tok.type == Type.LPAREN) {
                depth++;
            } else if (tok.type == Type.RPAREN) {
                depth--;
            }
        }
        return b;
    }

    /**
     * ban-char for the casts of a DDL statement ({@code x::char(2)}, {@code CAST(x AS character(3))}):
     * what a default, generated column or view computes with them is stored blank-padded.
     */
    void checkCasts(Statement st, List<Token> t) {
        int n = t.size();
        for (int k = 0; k < n; k++) {
            Token tok = t.get(k);
            int type = -1;
            if (tok.type == Type.COLON && tok.text().equals("::")) {
                type = k + 1;
            } else if (tok.is("CAST") && k + 1 < n && t.get(k + 1).type == Type.LPAREN) {
                int close = closing(t, k + 1, n);
                int as = findTop(t, k + 2, close, "AS");
                type = as < 0 ? -1 : as + 1;
            }
            if (type >= 0 && isCharType(t, type, n)) {
                int name = type + 2 < n && t.get(type + 1).type == Type.DOT ? type + 2 : type;
                s.report(Rule.BAN_CHAR, st, "A cast to " + t.get(name).text() + " yields a blank-padded value.");
                return;
            }
        }
    }

    /** Whether the type name at {@code i} (schema prefix allowed) is blank-padded char(n). */
    static boolean isCharType(List<Token> t, int i, int n) {
        boolean qualified = false;
        if (i + 1 < n && t.get(i).isName() && t.get(i + 1).type == Type.DOT) {
            i += 2;
            qualified = true;
        }
        if (i >= n || !t.get(i).isName()) {
            return false;
        }
        Token k = t.get(i);
        String w = k.name();
        if (qualified && w.equals("char")) {
            return i + 1 < n && t.get(i + 1).type == Type.LPAREN;
        }
        if (w.equals("national") && k.type == Type.IDENT) {
            i++;
            w = i < n && t.get(i).type == Type.IDENT ? t.get(i).name() : "";
        }
        boolean paren = i + 1 < n && t.get(i + 1).type == Type.LPAREN;
        if (k.type == Type.QUOTED_IDENT && w.equals("char")) {
            return paren;
        }
        return (w.equals("char") || w.equals("character") || w.equals("bpchar") || w.equals("nchar"))
                && !kw(t, i + 1, "VARYING");
    }

    void checkTypes(Statement st, List<Token> t, ColumnDef cd) {
        checkType(st, t, cd.typeStart, cd.typeEnd, "Column " + cd.name);
    }

    /** Type rules for the type in {@code [from, to)}; {@code subject} starts the message ("Column orders.code"). */
    void checkType(Statement st, List<Token> t, int from, int to, String subject) {
        String w = typeWords(t, from, to);
        switch (w) {
            case "int", "integer", "int4", "smallint", "int2", "serial", "serial4", "smallserial", "serial2" ->
                    s.report(Rule.PREFER_BIGINT, st, subject + " is " + w + " (32 bits or less); ids and counters outgrow it.");
            default -> { }
        }
        switch (w) {
            case "serial", "serial4", "bigserial", "serial8", "smallserial", "serial2" ->
                    s.report(Rule.PREFER_IDENTITY, st, subject + " uses " + w + ".");
            case "varchar", "character varying", "char varying" -> {
                if (hasParen(t, from, to)) {
                    s.report(Rule.PREFER_TEXT, st, subject + " is " + w + "(n); changing n later may need a rewrite and breaks long values.");
                }
            }
            case "timestamp", "timestamp without time zone" ->
                    s.report(Rule.PREFER_TIMESTAMPTZ, st, subject + " is " + w + ".");
            case "char", "character", "bpchar", "nchar", "national character", "national char" ->
                    s.report(Rule.BAN_CHAR, st, subject + " is " + w + " (blank-padded).");
            case "\"char\"" -> {
                if (hasParen(t, from, to)) { // "char"(n): meant as char(n); the one-byte type takes no length
                    s.report(Rule.BAN_CHAR, st, subject + " is \"char\"(n), written as blank-padded char(n).");
                }
            }
            default -> { }
        }
    }
}
