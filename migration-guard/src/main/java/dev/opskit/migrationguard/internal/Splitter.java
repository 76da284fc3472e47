package dev.opskit.migrationguard.internal;

import dev.opskit.migrationguard.internal.Token.Type;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a token stream into statements the way psql does: at a {@code ;} outside parentheses and
 * outside a SQL-standard function body ({@code CREATE FUNCTION ... BEGIN ATOMIC ... END}), where
 * {@code BEGIN}/{@code CASE} open and {@code END} closes a level. Strings and dollar-quoted bodies are
 * single tokens already, so a {@code ;} inside them never splits.
 */
public final class Splitter {
    private Splitter() {
    }

    public static List<Statement> split(String src, List<Token> tokens) {
        List<Statement> out = new ArrayList<>();
        List<Token> code = new ArrayList<>();
        List<Token> comments = new ArrayList<>();
        Token error = null;
        int parens = 0;
        int beginDepth = 0;
        boolean routine = false;
        for (Token t : tokens) {
            if (t.type == Type.COMMENT) {
                if (code.isEmpty()) {
                    comments.add(t);
                }
                continue;
            }
            if (t.type == Type.SEMICOLON && parens == 0 && beginDepth == 0) {
                if (!code.isEmpty()) {
                    out.add(new Statement(src, code, comments, error));
                    code = new ArrayList<>();
                }
                comments = new ArrayList<>();
                error = null;
                routine = false;
                continue;
            }
            if (t.type == Type.ERROR && error == null) {
                error = t;
            }
            code.add(t);
            switch (t.type) {
                case LPAREN -> parens++;
                case RPAREN -> parens = Math.max(0, parens - 1);
                case IDENT -> {
                    if (code.size() <= 4 && (t.is("FUNCTION") || t.is("PROCEDURE")) && code.get(0).is("CREATE")) {
                        routine = true;
                    } else if (routine) {
                        if (t.is("BEGIN")) {
                            beginDepth++;
                        } else if (t.is("CASE") && beginDepth > 0) {
                            beginDepth++;
                        } else if (t.is("END") && beginDepth > 0) {
                            beginDepth--;
                        }
                    }
                }
                default -> { }
            }
        }
        if (!code.isEmpty()) {
            out.add(new Statement(src, code, comments, error));
        }
        return out;
    }

    /** Comments after the last statement (so that an approval there can be reported as unused). */
    public static List<Token> trailingComments(List<Token> tokens) {
        List<Token> out = new ArrayList<>();
        for (int i = tokens.size() - 1; i >= 0; i--) {
            Token t = tokens.get(i);
            if (t.type == Type.COMMENT) {
                out.add(0, t);
            } else {
                break;
            }
        }
        return out;
    }
}
