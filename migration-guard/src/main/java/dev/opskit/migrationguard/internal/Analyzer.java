package dev.opskit.migrationguard.internal;

import static dev.opskit.migrationguard.internal.Parse.*;

import dev.opskit.migrationguard.Rule;
import dev.opskit.migrationguard.internal.Token.Type;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads one migration file and hands each statement to the rules for its kind. A hand-written,
 * forgiving, token-based parser: it reads only as much of each statement as the rules need
 * (helpers in {@link Parse}), and reports what it cannot read as {@code unparsed-statement}. It
 * looks into WITH, PREPARE, EXPLAIN ANALYZE and DO blocks itself; what the rules know about the
 * file so far is in {@link FileState}. Not thread-safe; one instance per file.
 */
public final class Analyzer {
    private static final int MAX_DO_DEPTH = 4;
    /** WITH, PREPARE and EXPLAIN look into the statement they hold; deeper than this is reported, not recursed. */
    private static final int MAX_NESTING = 32;
    private static final int MAX_IDENTIFIER_BYTES = 63;
    private static final Set<String> HARMLESS_FIRST_WORDS = Set.of(
            "COMMENT", "GRANT", "REVOKE", "INSERT", "SELECT", "VALUES", "TABLE", "COPY", "ANALYZE", "ANALYSE",
            "SHOW", "SAVEPOINT", "RELEASE", "CALL", "NOTIFY", "LISTEN", "UNLISTEN", "DISCARD", "SECURITY",
            "IMPORT", "REASSIGN", "EXECUTE", "DEALLOCATE", "DECLARE", "FETCH", "CLOSE", "MOVE",
            "LOAD", "CHECKPOINT", "MERGE");
    private static final Set<String> PL_SKIP_WORDS = Set.of(
            "PERFORM", "RAISE", "RETURN", "NULL", "GET", "OPEN", "FETCH", "CLOSE", "MOVE", "EXIT", "CONTINUE",
            "ASSERT", "CALL", "COMMIT", "ROLLBACK");

    private final boolean assumeInTransaction;
    private final FileState state;
    private final TypeRules types;
    private final AlterRules alterRules;
    private final CreateRules createRules;
    private final DropRules dropRules;
    private final DataRules dataRules;
    private final MaintenanceRules maintenanceRules;
    private final SessionRules sessionRules;
    private final List<Token> comments = new ArrayList<>();
    private final List<Statement> statements = new ArrayList<>();
    private boolean inDeclare;
    private int nesting;

    public Analyzer(String file, boolean assumeInTransaction) {
        this(file, assumeInTransaction, new SchemaFacts());
    }

    /** An analyser for the next file of a run: {@code facts} carries what earlier files proved. */
    Analyzer(String file, boolean assumeInTransaction, SchemaFacts facts) {
        this(file, assumeInTransaction, facts, 0);
    }

    /** As above, for migrations that run on PostgreSQL {@code pgVersion} (a major version; 0 for a current one). */
    Analyzer(String file, boolean assumeInTransaction, SchemaFacts facts, int pgVersion) {
        this.assumeInTransaction = assumeInTransaction;
        this.state = new FileState(file, facts, pgVersion);
        this.types = new TypeRules(state);
        this.alterRules = new AlterRules(state, types);
        this.createRules = new CreateRules(state, types);
        this.dropRules = new DropRules(state);
        this.dataRules = new DataRules(state);
        this.maintenanceRules = new MaintenanceRules(state);
        this.sessionRules = new SessionRules(state);
    }

    /** Findings so far, in statement order. */
    public List<RawFinding> findings() {
        return state.findings;
    }

    /** Every comment seen, including those inside DO bodies (approvals live in comments). */
    public List<Token> comments() {
        return comments;
    }

    /** Top-level statements seen. */
    public List<Statement> statements() {
        return statements;
    }

    /** Analyses a whole file. Never throws for any input. */
    public void analyzeFile(String src) {
        List<Token> tokens = Lexer.lex(src);
        collectComments(tokens);
        List<Statement> all = Splitter.split(src, tokens);
        // Flyway runs a script whose statements all refuse a transaction block without one
        state.runnerTransaction = assumeInTransaction && !all.stream().allMatch(Analyzer::nonTransactional);
        for (Statement st : all) {
            statements.add(st);
            analyze(st);
        }
        for (Statement st : state.tablesWithoutPk.values()) {
            state.report(Rule.CREATE_TABLE_WITHOUT_PK, st, "CREATE TABLE " + nameAfterTable(st)
                    + " has no primary key.");
        }
    }

    private void collectComments(List<Token> tokens) {
        for (Token t : tokens) {
            if (t.type == Type.COMMENT) {
                comments.add(t);
            }
        }
    }

    /** Statements PostgreSQL refuses inside a transaction block (as migration runners detect them). */
    static boolean nonTransactional(Statement st) {
        List<Token> t = st.code;
        if (st.error != null || t.isEmpty()) {
            return false;
        }
        if (kw(t, 0, "VACUUM")) {
            return true;
        }
        if (kw(t, 0, "REINDEX") && t.size() > 1 && t.get(1).type == Type.LPAREN) {
            int close = closing(t, 1, t.size());
            return Boolean.TRUE.equals(option(t, 1, "CONCURRENTLY")) || containsAt(t, close + 1, Math.min(t.size(), close + 4), "CONCURRENTLY");
        }
        if (kw(t, 0, "CREATE") || kw(t, 0, "DROP") || kw(t, 0, "REINDEX")) {
            for (int i = 1; i < Math.min(t.size(), 6); i++) {
                if (t.get(i).is("CONCURRENTLY")) {
                    return true;
                }
            }
        }
        return kw(t, 0, "ALTER") && kw(t, 1, "TABLE") && t.get(t.size() - 1).is("CONCURRENTLY");
    }

    // ------------------------------------------------------------------ statements

    private void analyze(Statement st) {
        if (st.error != null) {
            Token e = st.error;
            state.report(Rule.SYNTAX_ERROR, st, "Syntax error: " + e.error + " starting at line " + e.line + ", column "
                    + e.column + "; the rest of the file was read as part of it.");
            return;
        }
        analyzeFrom(st, st.code, 0);
    }

    private void analyzeFrom(Statement st, List<Token> t, int i) {
        if (i >= t.size()) {
            return;
        }
        if (nesting >= MAX_NESTING) {
            state.unparsed(st, "statement nested too deeply");
            return;
        }
        nesting++;
        try {
            analyzeKeyword(st, t, i);
        } finally {
            nesting--;
        }
    }

    private void analyzeKeyword(Statement st, List<Token> t, int i) {
        Token f = t.get(i);
        if (f.type != Type.IDENT) {
            if (f.type == Type.LPAREN) {
                return; // (SELECT ...) UNION ...: a query
            }
            state.unparsed(st, "it does not start with a keyword");
            return;
        }
        String k = upper(f);
        switch (k) {
            case "ALTER" -> {
                checkIdentifierLength(st, t);
                types.checkCasts(st, t);
                alterRules.alter(st, t, i + 1);
            }
            case "CREATE" -> {
                checkIdentifierLength(st, t);
                types.checkCasts(st, t);
                createRules.create(st, t, i + 1);
            }
            case "DROP" -> {
                checkIdentifierLength(st, t);
                dropRules.drop(st, t, i + 1);
            }
            case "TRUNCATE" -> dataRules.truncate(st, t, i + 1);
            case "DELETE" -> dataRules.delete(st, t, i + 1);
            case "UPDATE" -> dataRules.update(st, t, i + 1);
            case "WITH" -> with(st, t, i + 1);
            case "VACUUM" -> maintenanceRules.vacuum(st, t, i + 1);
            case "CLUSTER" -> maintenanceRules.cluster(st, t, i + 1);
            case "REINDEX" -> maintenanceRules.reindex(st, t, i + 1);
            case "REFRESH" -> maintenanceRules.refresh(st, t, i + 1);
            case "LOCK" -> {
                state.report(Rule.LOCK_TABLE, st, "LOCK TABLE takes an explicit lock that is held until the transaction ends.");
                state.locking(st, false);
            }
            case "SET" -> sessionRules.set(st, t, i + 1);
            case "RESET" -> sessionRules.reset(t, i + 1);
            case "SELECT" -> sessionRules.setConfigCalls(t, i + 1);
            case "DISCARD" -> {
                if (kw(t, i + 1, "ALL")) {
                    sessionRules.reset(t, i + 1); // DISCARD ALL includes RESET ALL
                }
            }
            case "BEGIN" -> sessionRules.begin(st);
            case "START" -> {
                if (kw(t, i + 1, "TRANSACTION")) {
                    sessionRules.begin(st);
                } else {
                    state.unparsed(st, "START without TRANSACTION");
                }
            }
            case "COMMIT", "END", "ROLLBACK", "ABORT" -> sessionRules.commit(st, t, i + 1);
            case "PREPARE" -> {
                if (kw(t, i + 1, "TRANSACTION")) {
                    sessionRules.commit(st, t, i + 2);
                } else {
                    // PREPARE name [(types)] AS statement: the statement runs at EXECUTE; check it here
                    int as = findTop(t, i + 1, t.size(), "AS");
                    if (as < 0) {
                        state.unparsed(st, "PREPARE without AS");
                    } else {
                        analyzeFrom(st, t, as + 1);
                    }
                }
            }
            case "EXPLAIN" -> explain(st, t, i + 1);
            case "DO" -> doStatement(st, t, i + 1);
            default -> {
                if (!HARMLESS_FIRST_WORDS.contains(k)) {
                    state.unparsed(st, "unknown statement " + k);
                }
            }
        }
    }

    /** EXPLAIN ANALYZE runs the statement it explains: check that statement then. */
    private void explain(Statement st, List<Token> t, int i) {
        boolean runs = false;
        if (i < t.size() && t.get(i).type == Type.LPAREN) {
            int close = closing(t, i, t.size());
            for (int k = i + 1; k < close; k++) {
                if (t.get(k).is("ANALYZE") || t.get(k).is("ANALYSE")) {
                    Token v = k + 1 < close ? t.get(k + 1) : null;
                    runs = v == null || v.type == Type.COMMA || !(v.is("FALSE") || v.is("OFF")
                            || (v.type == Type.NUMBER && v.text().equals("0")));
                }
            }
            i = close + 1;
        } else {
            while (kw(t, i, "ANALYZE") || kw(t, i, "ANALYSE") || kw(t, i, "VERBOSE")) {
                runs |= !t.get(i).is("VERBOSE");
                i++;
            }
        }
        if (runs) {
            analyzeFrom(st, t, i);
        }
    }

    private void checkIdentifierLength(Statement st, List<Token> t) {
        for (Token k : t) {
            if (k.isName() && k.end - k.start > MAX_IDENTIFIER_BYTES / 4) {
                String name = k.name();
                if (name.getBytes(StandardCharsets.UTF_8).length > MAX_IDENTIFIER_BYTES) {
                    state.report(Rule.IDENTIFIER_TOO_LONG, st, "Identifier " + abbreviate(name) + " is longer than 63 bytes"
                            + " and will be truncated by PostgreSQL.");
                    return;
                }
            }
        }
    }
    private void with(Statement st, List<Token> t, int i) {
        int n = t.size();
        if (kw(t, i, "RECURSIVE")) {
            i++;
        }
        while (i < n && t.get(i).isName()) {
            i++;
            if (i < n && t.get(i).type == Type.LPAREN) {
                i = closing(t, i, n) + 1;
            }
            if (!kw(t, i, "AS")) {
                state.unparsed(st, "WITH query not understood");
                return;
            }
            i++;
            if (kw(t, i, "NOT")) {
                i++;
            }
            if (kw(t, i, "MATERIALIZED")) {
                i++;
            }
            if (i >= n || t.get(i).type != Type.LPAREN) {
                state.unparsed(st, "WITH query not understood");
                return;
            }
            int close = closing(t, i, n);
            if (kw(t, i + 1, "DELETE") || kw(t, i + 1, "UPDATE")) {
                analyzeFrom(st, t.subList(i + 1, close), 0);
            }
            i = close + 1;
            if (i < n && t.get(i).type == Type.COMMA) {
                i++;
            } else {
                break;
            }
        }
        analyzeFrom(st, t, i);
    }
    // ---- DO blocks

    private void doStatement(Statement st, List<Token> t, int i) {
        String language = "plpgsql";
        Token body = null;
        for (int k = i; k < t.size(); k++) {
            Token tok = t.get(k);
            if (tok.is("LANGUAGE") && k + 1 < t.size()) {
                Token l = t.get(++k);
                language = l.type == Type.STRING ? String.valueOf(l.stringValue()).toLowerCase(Locale.ROOT) : l.name();
            } else if ((tok.type == Type.STRING || tok.type == Type.DOLLAR_STRING) && body == null) {
                body = tok;
            } else {
                state.unparsed(st, "DO block not understood");
                return;
            }
        }
        if (body == null) {
            state.unparsed(st, "DO without a body");
            return;
        }
        if (!language.equals("plpgsql")) {
            state.unparsed(st, "DO block in language " + language + " cannot be checked");
            return;
        }
        if (state.doDepth >= MAX_DO_DEPTH) {
            state.unparsed(st, "DO blocks nested too deeply");
            return;
        }
        List<Statement> inner = lexEmbedded(body);
        state.doDepth++;
        inDeclare = false;
        try {
            for (Statement s : inner) {
                s.parent = st.parent != null ? st.parent : st;
                if (s.error != null) {
                    analyze(s);
                } else {
                    plStatement(s);
                }
            }
        } finally {
            state.doDepth--;
        }
    }

    /** Lexes the content of a string or dollar-quoted token with positions mapped back into the file. */
    private List<Statement> lexEmbedded(Token body) {
        List<Token> tokens;
        String src;
        String raw = body.text();
        if (body.type == Type.DOLLAR_STRING) {
            int tag = raw.indexOf('$', 1) + 1;
            src = body.src;
            tokens = Lexer.lex(src, body.start + tag, body.end - tag, body.line, body.column + tag);
        } else {
            char first = raw.charAt(0);
            String value = body.stringValue();
            boolean plain = first == '\'' && raw.length() >= 2 && raw.substring(1, raw.length() - 1).equals(value);
            if (plain) {
                src = body.src;
                tokens = Lexer.lex(src, body.start + 1, body.end - 1, body.line, body.column + 1);
            } else {
                // escapes change offsets: positions inside point at the literal's start line
                src = value == null ? "" : value;
                tokens = Lexer.lex(src, 0, src.length(), body.line, body.column);
            }
        }
        collectComments(tokens);
        return Splitter.split(src, tokens);
    }

    private void plStatement(Statement s) {
        List<Token> t = s.code;
        int n = t.size();
        int i = 0;
        while (i < n) {
            Token f = t.get(i);
            if (inDeclare) {
                int b = findTop(t, i, n, "BEGIN");
                if (b < 0) {
                    return;
                }
                inDeclare = false;
                i = b + 1;
                continue;
            }
            if (isOp(f, "<<")) {
                i += 3;
                continue;
            }
            String k = upper(f);
            switch (k) {
                case "DECLARE" -> {
                    inDeclare = true;
                    i++;
                    continue;
                }
                case "BEGIN", "EXCEPTION", "ELSE", "LOOP" -> {
                    i++;
                    continue;
                }
                case "IF", "ELSIF", "ELSEIF", "WHEN", "CASE" -> {
                    int then = findTop(t, i + 1, n, "THEN");
                    if (then < 0) {
                        return;
                    }
                    i = then + 1;
                    continue;
                }
                case "FOR", "WHILE", "FOREACH" -> {
                    int loop = -1;
                    for (int k2 = i + 1; k2 < n; k2++) {
                        if (t.get(k2).is("LOOP")) {
                            loop = k2;
                        }
                    }
                    if (loop < 0) {
                        return;
                    }
                    i = loop + 1;
                    continue;
                }
                case "END" -> {
                    return;
                }
                default -> { }
            }
            break;
        }
        if (i >= n) {
            return;
        }
        Statement sql = i == 0 ? s : sub(s, i);
        Token f = t.get(i);
        String k = upper(f);
        if (k.equals("EXECUTE")) {
            Token arg = i + 1 < n ? t.get(i + 1) : null;
            boolean literal = arg != null && (arg.type == Type.STRING || arg.type == Type.DOLLAR_STRING)
                    && (i + 2 == n || kw(t, i + 2, "INTO") || kw(t, i + 2, "USING"));
            if (!literal) {
                state.unparsed(sql, "dynamic SQL in EXECUTE cannot be checked");
                return;
            }
            boolean saveDeclare = inDeclare;
            for (Statement e : lexEmbedded(java.util.Objects.requireNonNull(arg, "a literal"))) {
                e.parent = s.parent;
                analyze(e);
            }
            inDeclare = saveDeclare;
            return;
        }
        if (PL_SKIP_WORDS.contains(k)) {
            return;
        }
        if (i + 1 < n && (f.isName()) && (t.get(i + 1).type == Type.COLON && t.get(i + 1).text().equals(":=")
                || isOp(t.get(i + 1), "=") || t.get(i + 1).type == Type.DOT || t.get(i + 1).type == Type.LBRACKET)) {
            return; // assignment
        }
        analyze(sql);
    }

    /**
     * The SQL statement starting at token {@code i} of a PL/pgSQL statement ({@code BEGIN}, {@code THEN},
     * {@code LOOP} ... before it). Its leading comments are those above the wrapper and those
     * directly above token {@code i}, so an approval written right above the SQL inside a DO body counts.
     */
    private static Statement sub(Statement s, int i) {
        Token prev = s.code.get(i - 1);
        Token first = s.code.get(i);
        List<Token> leading = new ArrayList<>(s.leadingComments);
        for (Token c : s.innerComments) {
            if (c.src == first.src && c.start >= prev.end && c.end <= first.start) {
                leading.add(c);
            }
        }
        Statement out = new Statement(s.src, s.code.subList(i, s.code.size()), leading, null);
        out.parent = s.parent;
        return out;
    }
}
