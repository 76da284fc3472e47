package dev.opskit.jobqueue.internal;

/**
 * A strict JSON syntax check (RFC 8259), so a bad payload is refused at enqueue with a position,
 * by the PostgreSQL queue and the in-memory fake alike. It also refuses what PostgreSQL's
 * {@code jsonb} refuses although the RFC allows it: the escape {@code \u0000}. No parsing into
 * objects, no allocation beyond the message.
 */
public final class JsonSyntax {
    private static final int MAX_DEPTH = 1000;

    private final String s;
    private int pos;

    private JsonSyntax(String s) {
        this.s = s;
    }

    /** Null when {@code json} is one valid JSON value, else what is wrong and where. */
    public static String check(String json) {
        JsonSyntax p = new JsonSyntax(json);
        try {
            p.ws();
            p.value(0);
            p.ws();
            if (p.pos != json.length()) {
                throw p.error("unexpected " + p.describe() + " after the value");
            }
            return null;
        } catch (Bad e) {
            return e.getMessage();
        }
    }

    private static final class Bad extends Exception {
        private static final long serialVersionUID = 1L;

        Bad(String message) {
            super(message, null, false, false);
        }
    }

    private Bad error(String what) {
        return new Bad(what + " at position " + pos);
    }

    private String describe() {
        return pos >= s.length() ? "end of input" : "'" + s.charAt(pos) + "'";
    }

    private void ws() {
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                pos++;
            } else {
                return;
            }
        }
    }

    private void value(int depth) throws Bad {
        if (depth > MAX_DEPTH) {
            throw error("nesting deeper than " + MAX_DEPTH);
        }
        if (pos >= s.length()) {
            throw error("expected a value but found end of input");
        }
        char c = s.charAt(pos);
        switch (c) {
            case '{' -> object(depth);
            case '[' -> array(depth);
            case '"' -> string();
            case 't' -> literal("true");
            case 'f' -> literal("false");
            case 'n' -> literal("null");
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    number();
                } else {
                    throw error("expected a value but found " + describe());
                }
            }
        }
    }

    private void object(int depth) throws Bad {
        pos++;
        ws();
        if (peek('}')) {
            pos++;
            return;
        }
        while (true) {
            ws();
            if (!peek('"')) {
                throw error("expected a member name in double quotes but found " + describe());
            }
            string();
            ws();
            expect(':');
            ws();
            value(depth + 1);
            ws();
            if (peek(',')) {
                pos++;
            } else if (peek('}')) {
                pos++;
                return;
            } else {
                throw error("expected ',' or '}' but found " + describe());
            }
        }
    }

    private void array(int depth) throws Bad {
        pos++;
        ws();
        if (peek(']')) {
            pos++;
            return;
        }
        while (true) {
            ws();
            value(depth + 1);
            ws();
            if (peek(',')) {
                pos++;
            } else if (peek(']')) {
                pos++;
                return;
            } else {
                throw error("expected ',' or ']' but found " + describe());
            }
        }
    }

    private void string() throws Bad {
        pos++;
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c == '"') {
                pos++;
                return;
            }
            if (c < 0x20) {
                throw error("unescaped control character in a string");
            }
            if (c == '\\') {
                pos++;
                if (pos >= s.length()) {
                    break;
                }
                char e = s.charAt(pos);
                switch (e) {
                    case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> pos++;
                    case 'u' -> {
                        if (pos + 4 >= s.length()) {
                            throw error("incomplete \\u escape");
                        }
                        int v = 0;
                        for (int i = 1; i <= 4; i++) {
                            int d = Character.digit(s.charAt(pos + i), 16);
                            if (d < 0) {
                                throw error("bad \\u escape");
                            }
                            v = v * 16 + d;
                        }
                        if (v == 0) {
                            throw error("\\u0000 is not allowed (PostgreSQL jsonb cannot store it)");
                        }
                        pos += 5;
                    }
                    default -> throw error("bad escape '\\" + e + "'");
                }
            } else {
                pos++;
            }
        }
        throw error("unterminated string");
    }

    private void number() throws Bad {
        if (peek('-')) {
            pos++;
        }
        if (peek('0')) {
            pos++;
        } else if (digit()) {
            while (digit()) {
                pos++;
            }
        } else {
            throw error("expected a digit but found " + describe());
        }
        if (peek('.')) {
            pos++;
            if (!digit()) {
                throw error("expected a digit after '.' but found " + describe());
            }
            while (digit()) {
                pos++;
            }
        }
        if (peek('e') || peek('E')) {
            pos++;
            if (peek('+') || peek('-')) {
                pos++;
            }
            if (!digit()) {
                throw error("expected a digit in the exponent but found " + describe());
            }
            while (digit()) {
                pos++;
            }
        }
    }

    private boolean digit() {
        return pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9';
    }

    private void literal(String word) throws Bad {
        if (!s.startsWith(word, pos)) {
            throw error("expected a value but found " + describe());
        }
        pos += word.length();
    }

    private boolean peek(char c) {
        return pos < s.length() && s.charAt(pos) == c;
    }

    private void expect(char c) throws Bad {
        if (!peek(c)) {
            throw error("expected '" + c + "' but found " + describe());
        }
        pos++;
    }
}
