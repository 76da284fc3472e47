package dev.opskit.migrationguard.internal;

import dev.opskit.migrationguard.Rule;
import dev.opskit.migrationguard.internal.Token.Type;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The parser and the rules of one migration file. A hand-written, forgiving, token-based parser:
 * it reads only as much of each statement as the rules need, and reports what it cannot read as
 * {@code unparsed-statement}. It keeps per-file state: tables, indexes, sequences and schemas the
 * file created (changes to those need no care), the transaction it is in, and whether
 * lock_timeout/statement_timeout were set. Not thread-safe; one instance per file.
 */
public final class Analyzer {
    private static final int MAX_DO_DEPTH = 4;
    private static final int MAX_IDENTIFIER_BYTES = 63;

    private static final Set<String> VOLATILE_FUNCTIONS = Set.of(
            "random", "gen_random_uuid", "uuid_generate_v1", "uuid_generate_v1mc", "uuid_generate_v4",
            "uuidv4", "uuidv7", "clock_timestamp", "timeofday", "nextval", "setseed", "random_normal",
            "txid_current", "pg_current_xact_id", "gen_random_bytes");
    private static final Set<String> COLUMN_CONSTRAINT_WORDS = Set.of(
            "CONSTRAINT", "NOT", "NULL", "DEFAULT", "PRIMARY", "UNIQUE", "REFERENCES", "CHECK", "GENERATED",
            "COLLATE", "COMPRESSION", "STORAGE", "DEFERRABLE", "INITIALLY");
    private static final Set<String> HARMLESS_FIRST_WORDS = Set.of(
            "COMMENT", "GRANT", "REVOKE", "INSERT", "SELECT", "VALUES", "TABLE", "COPY", "ANALYZE", "ANALYSE",
            "SHOW", "SAVEPOINT", "RELEASE", "CALL", "NOTIFY", "LISTEN", "UNLISTEN", "DISCARD", "SECURITY",
            "IMPORT", "REASSIGN", "EXPLAIN", "EXECUTE", "DEALLOCATE", "DECLARE", "FETCH", "CLOSE", "MOVE",
            "LOAD", "CHECKPOINT", "MERGE");
    private static final Set<String> HARMLESS_CREATE_WORDS = Set.of(
            "VIEW", "MATERIALIZED", "FUNCTION", "PROCEDURE", "TRIGGER", "CONSTRAINT", "SEQUENCE", "EXTENSION",
            "SCHEMA", "TYPE", "DOMAIN", "POLICY", "RULE", "ROLE", "USER", "GROUP", "AGGREGATE", "CAST",
            "COLLATION", "CONVERSION", "PUBLICATION", "SUBSCRIPTION", "EVENT", "STATISTICS", "SERVER", "TEXT",
            "OPERATOR", "LANGUAGE", "PROCEDURAL", "TRUSTED", "DATABASE", "TABLESPACE", "ACCESS", "TRANSFORM",
            "DEFAULT", "RECURSIVE", "FOREIGN");
    private static final Set<String> HARMLESS_DROP_KINDS = Set.of(
            "TRIGGER", "POLICY", "RULE", "EXTENSION", "ROLE", "USER", "GROUP", "CAST", "COLLATION", "CONVERSION",
            "EVENT", "FOREIGN", "SERVER", "LANGUAGE", "PROCEDURAL", "OPERATOR", "PUBLICATION", "SUBSCRIPTION",
            "STATISTICS", "TABLESPACE", "TEXT", "TRANSFORM", "ACCESS");
    private static final Set<String> PL_SKIP_WORDS = Set.of(
            "PERFORM", "RAISE", "RETURN", "NULL", "GET", "OPEN", "FETCH", "CLOSE", "MOVE", "EXIT", "CONTINUE",
            "ASSERT", "CALL", "COMMIT", "ROLLBACK");

    private final String file;
    private final boolean assumeInTransaction;
    /** The runner wraps this file in a transaction: assumed, unless every statement is non-transactional. */
    private boolean runnerTransaction;
    private final List<RawFinding> findings = new ArrayList<>();
    private final List<Token> comments = new ArrayList<>();
    private final List<Statement> statements = new ArrayList<>();

    private final Set<String> createdTables = new HashSet<>();
    private final Set<String> createdIndexes = new HashSet<>();
    private final Set<String> createdSequences = new HashSet<>();
    private final Set<String> createdSchemas = new HashSet<>();
    private final Map<String, Statement> tablesWithoutPk = new LinkedHashMap<>();
    private final Set<String> notValidInTransaction = new HashSet<>();
    private boolean explicitTransaction;
    private int doDepth;
    private boolean lockTimeout;
    private boolean lockTimeoutLocal;
    private boolean statementTimeout;
    private boolean statementTimeoutLocal;
    private boolean lockTimeoutReported;
    private boolean statementTimeoutReported;
    private boolean inDeclare;

    public Analyzer(String file, boolean assumeInTransaction) {
        this.file = file;
        this.assumeInTransaction = assumeInTransaction;
    }

    /** Findings so far, in statement order. */
    public List<RawFinding> findings() {
        return findings;
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
        runnerTransaction = assumeInTransaction && !all.stream().allMatch(Analyzer::nonTransactional);
        for (Statement st : all) {
            statements.add(st);
            analyze(st);
        }
        for (Statement st : tablesWithoutPk.values()) {
            report(Rule.CREATE_TABLE_WITHOUT_PK, st, "CREATE TABLE " + nameAfterTable(st)
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

    // ------------------------------------------------------------------ reporting

    private void report(Rule rule, Statement st, String what) {
        if (st.reported == null) {
            st.reported = java.util.EnumSet.noneOf(Rule.class);
        }
        if (st.reported.add(rule)) {
            findings.add(new RawFinding(rule, file, st.line(), st.column(), what + " " + rule.advice(), st));
        }
    }

    private void unparsed(Statement st, String why) {
        report(Rule.UNPARSED_STATEMENT, st, "Statement could not be checked: " + why + ".");
    }

    private boolean inTransaction() {
        return explicitTransaction || runnerTransaction || doDepth > 0;
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
        if (kw(t, 0, "CREATE") || kw(t, 0, "DROP") || kw(t, 0, "REINDEX")) {
            for (int i = 1; i < Math.min(t.size(), 6); i++) {
                if (t.get(i).is("CONCURRENTLY")) {
                    return true;
                }
            }
        }
        return kw(t, 0, "ALTER") && kw(t, 1, "TABLE") && t.get(t.size() - 1).is("CONCURRENTLY");
    }

    /** A statement that locks an existing table: wants lock_timeout and statement_timeout set first. */
    private void locking(Statement st, boolean onNewObject) {
        if (onNewObject) {
            return;
        }
        if (!lockTimeout && !lockTimeoutReported) {
            lockTimeoutReported = true;
            report(Rule.REQUIRE_LOCK_TIMEOUT, st, "This statement locks an existing table but no lock_timeout was set"
                    + " earlier in the migration; waiting for its lock blocks every query queued behind it.");
        }
        if (!statementTimeout && !statementTimeoutReported) {
            statementTimeoutReported = true;
            report(Rule.REQUIRE_STATEMENT_TIMEOUT, st, "This statement locks an existing table but no"
                    + " statement_timeout was set earlier in the migration.");
        }
    }

    // ------------------------------------------------------------------ token helpers

    private static boolean kw(List<Token> t, int i, String word) {
        return i < t.size() && t.get(i).is(word);
    }

    private static boolean kw(List<Token> t, int i, String w1, String w2) {
        return kw(t, i, w1) && kw(t, i + 1, w2);
    }

    private static String upper(Token t) {
        return t.type == Type.IDENT ? t.text().toUpperCase(Locale.ROOT) : "";
    }

    private static boolean isOp(Token t, String op) {
        return t.type == Type.OPERATOR && t.text().equals(op);
    }

    /** A possibly qualified name at {@code i}: returns the index after it, or -1; stores the last part in {@code out[0]}. */
    private static int qname(List<Token> t, int i, String[] out) {
        if (i >= t.size() || !t.get(i).isName()) {
            return -1;
        }
        String name = t.get(i).name();
        i++;
        while (i + 1 < t.size() && t.get(i).type == Type.DOT && t.get(i + 1).isName()) {
            name = t.get(i + 1).name();
            i += 2;
        }
        out[0] = name;
        return i;
    }

    /** Index of the token closing the parenthesis opened at {@code open} (or {@code end} if unbalanced). */
    private static int closing(List<Token> t, int open, int end) {
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
    private static int findTop(List<Token> t, int from, int end, String word) {
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

    private static boolean containsSeq(List<Token> t, int from, int end, String w1, String w2) {
        for (int i = from; i + 1 < end; i++) {
            if (t.get(i).is(w1) && t.get(i + 1).is(w2)) {
                return true;
            }
        }
        return false;
    }

    /** Splits {@code [from, end)} at depth-0 commas into [start, end) pairs. */
    private static List<int[]> splitTop(List<Token> t, int from, int end) {
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
    private static List<String> nameList(List<Token> t, int i) {
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

    private static String joined(List<String> names) {
        return names.isEmpty() ? "?" : String.join(", ", names);
    }

    private static String nameAfterTable(Statement st) {
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

    // ------------------------------------------------------------------ statements

    private void analyze(Statement st) {
        if (st.error != null) {
            Token e = st.error;
            report(Rule.SYNTAX_ERROR, st, "Syntax error: " + e.error + " starting at line " + e.line + ", column "
                    + e.column + "; the rest of the file was read as part of it.");
            return;
        }
        analyzeFrom(st, st.code, 0);
    }

    private void analyzeFrom(Statement st, List<Token> t, int i) {
        if (i >= t.size()) {
            return;
        }
        Token f = t.get(i);
        if (f.type != Type.IDENT) {
            if (f.type == Type.LPAREN) {
                return; // (SELECT ...) UNION ...: a query
            }
            unparsed(st, "it does not start with a keyword");
            return;
        }
        String k = upper(f);
        switch (k) {
            case "ALTER" -> alter(st, t, i + 1);
            case "CREATE" -> create(st, t, i + 1);
            case "DROP" -> drop(st, t, i + 1);
            case "TRUNCATE" -> truncate(st, t, i + 1);
            case "DELETE" -> delete(st, t, i + 1);
            case "UPDATE" -> update(st, t, i + 1);
            case "WITH" -> with(st, t, i + 1);
            case "VACUUM" -> vacuum(st, t, i + 1);
            case "CLUSTER" -> cluster(st, t, i + 1);
            case "REINDEX" -> reindex(st, t, i + 1);
            case "REFRESH" -> refresh(st, t, i + 1);
            case "LOCK" -> {
                report(Rule.LOCK_TABLE, st, "LOCK TABLE takes an explicit lock that is held until the transaction ends.");
                locking(st, false);
            }
            case "SET" -> set(st, t, i + 1);
            case "RESET" -> reset(t, i + 1);
            case "BEGIN" -> begin(st);
            case "START" -> {
                if (kw(t, i + 1, "TRANSACTION")) {
                    begin(st);
                } else {
                    unparsed(st, "START without TRANSACTION");
                }
            }
            case "COMMIT", "END", "ROLLBACK", "ABORT" -> commit(st, t, i + 1);
            case "PREPARE" -> {
                if (kw(t, i + 1, "TRANSACTION")) {
                    commit(st, t, i + 2);
                }
            }
            case "DO" -> doStatement(st, t, i + 1);
            default -> {
                if (!HARMLESS_FIRST_WORDS.contains(k)) {
                    unparsed(st, "unknown statement " + k);
                }
            }
        }
    }

    private void checkIdentifierLength(Statement st, List<Token> t) {
        for (Token k : t) {
            if (k.isName() && k.end - k.start > MAX_IDENTIFIER_BYTES / 4) {
                String name = k.name();
                if (name.getBytes(StandardCharsets.UTF_8).length > MAX_IDENTIFIER_BYTES) {
                    report(Rule.IDENTIFIER_TOO_LONG, st, "Identifier " + abbreviate(name) + " is longer than 63 bytes"
                            + " and will be truncated by PostgreSQL.");
                    return;
                }
            }
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }

    // ---- ALTER

    private void alter(Statement st, List<Token> t, int i) {
        checkIdentifierLength(st, t);
        if (kw(t, i, "TABLE")) {
            alterTable(st, t, i + 1);
        } else if (kw(t, i, "FOREIGN", "TABLE")) {
            alterTable(st, t, i + 2);
        } else if (kw(t, i, "TYPE")) {
            String[] out = new String[1];
            int j = qname(t, i + 1, out);
            if (j > 0 && (kw(t, j, "ADD", "VALUE") || kw(t, j, "RENAME", "VALUE"))) {
                report(Rule.ALTER_ENUM_VALUE, st, "Changing the values of enum type " + out[0]
                        + " can break code that reads or writes it.");
            }
        } else if (kw(t, i, "SCHEMA")) {
            String[] out = new String[1];
            int j = qname(t, i + 1, out);
            if (j > 0 && kw(t, j, "RENAME")) {
                report(Rule.RENAME_SCHEMA, st, "Renaming schema " + out[0] + " breaks every query that names it.");
            }
        } else if (kw(t, i, "VIEW") || kw(t, i, "MATERIALIZED", "VIEW")) {
            int j = kw(t, i, "VIEW") ? i + 1 : i + 2;
            if (kw(t, j, "IF", "EXISTS")) {
                j += 2;
            }
            String[] out = new String[1];
            j = qname(t, j, out);
            if (j > 0 && kw(t, j, "RENAME")) {
                if (kw(t, j + 1, "TO")) {
                    report(Rule.RENAME_TABLE, st, "Renaming view " + out[0] + " breaks running code that still uses the old name.");
                } else {
                    report(Rule.RENAME_COLUMN, st, "Renaming a column of view " + out[0] + " breaks running code that uses the old name.");
                }
            }
        } else if (i >= t.size() || t.get(i).type != Type.IDENT) {
            unparsed(st, "ALTER without an object kind");
        }
        // other ALTER kinds (INDEX, SEQUENCE, FUNCTION, ROLE, DEFAULT PRIVILEGES, ...) take no table lock worth flagging
    }

    private void alterTable(Statement st, List<Token> t, int i) {
        int n = t.size();
        int j = i;
        if (kw(t, j, "IF", "EXISTS")) {
            j += 2;
        }
        if (kw(t, j, "ALL", "IN")) {
            if (findTop(t, j, n, "TABLESPACE") >= 0 && containsSeq(t, j + 2, n, "SET", "TABLESPACE")) {
                report(Rule.SET_TABLESPACE, st, "Moving all tables of a tablespace copies them under an ACCESS EXCLUSIVE lock.");
                locking(st, false);
            }
            return;
        }
        if (kw(t, j, "ONLY")) {
            j++;
        }
        String[] out = new String[1];
        j = qname(t, j, out);
        if (j < 0) {
            unparsed(st, "ALTER TABLE without a table name");
            return;
        }
        String table = out[0];
        if (j < n && isOp(t.get(j), "*")) {
            j++;
        }
        if (j >= n) {
            unparsed(st, "ALTER TABLE without an action");
            return;
        }
        boolean isNew = createdTables.contains(table);
        locking(st, isNew);
        if (kw(t, j, "RENAME")) {
            if (kw(t, j + 1, "TO")) {
                String newName = j + 2 < n && t.get(j + 2).isName() ? t.get(j + 2).name() : "?";
                if (!isNew) {
                    report(Rule.RENAME_TABLE, st, "Renaming table " + table + " to " + newName
                            + " breaks running code that still uses the old name.");
                }
                createdTables.remove(table);
                if (isNew) {
                    createdTables.add(newName);
                }
            } else if (!kw(t, j + 1, "CONSTRAINT") && !isNew) {
                int c = kw(t, j + 1, "COLUMN") ? j + 2 : j + 1;
                String col = c < n && t.get(c).isName() ? t.get(c).name() : "?";
                report(Rule.RENAME_COLUMN, st, "Renaming column " + table + "." + col
                        + " breaks running code that still uses the old name.");
            }
            return;
        }
        if (kw(t, j, "SET", "SCHEMA")) {
            if (!isNew) {
                report(Rule.RENAME_TABLE, st, "Moving table " + table + " to another schema breaks running code that names it.");
            }
            return;
        }
        for (int[] action : splitTop(t, j, n)) {
            if (action[0] >= action[1]) {
                unparsed(st, "empty ALTER TABLE action");
                continue;
            }
            tableAction(st, t, action[0], action[1], table, isNew);
        }
    }

    private static boolean isTableConstraintStart(Token k) {
        return k.is("CONSTRAINT") || k.is("PRIMARY") || k.is("UNIQUE") || k.is("FOREIGN") || k.is("CHECK") || k.is("EXCLUDE");
    }

    private void tableAction(Statement st, List<Token> t, int a, int b, String table, boolean isNew) {
        Token f = t.get(a);
        String k = upper(f);
        switch (k) {
            case "ADD" -> {
                int j = a + 1;
                boolean columnKeyword = kw(t, j, "COLUMN");
                if (columnKeyword) {
                    j++;
                }
                if (kw(t, j, "IF", "NOT")) {
                    j += 3;
                }
                if (j >= b) {
                    unparsed(st, "ADD without a definition");
                } else if (!columnKeyword && isTableConstraintStart(t.get(j))) {
                    tableConstraint(st, t, j, b, table, isNew);
                } else {
                    ColumnDef cd = columnDef(t, j, b);
                    checkTypes(st, t, cd);
                    if (!isNew) {
                        addColumnChecks(st, cd, table);
                    }
                }
            }
            case "DROP" -> {
                boolean cascade = t.get(b - 1).is("CASCADE");
                if (kw(t, a + 1, "CONSTRAINT")) {
                    int c = kw(t, a + 2, "IF", "EXISTS") ? a + 4 : a + 2;
                    String name = c < b && t.get(c).isName() ? t.get(c).name() : "?";
                    if (!isNew) {
                        report(Rule.DROP_CONSTRAINT, st, "Dropping constraint " + name + " on " + table
                                + " removes a guarantee the data had.");
                    }
                } else {
                    int c = kw(t, a + 1, "COLUMN") ? a + 2 : a + 1;
                    if (kw(t, c, "IF", "EXISTS")) {
                        c += 2;
                    }
                    String col = c < b && t.get(c).isName() ? t.get(c).name() : "?";
                    if (!isNew) {
                        report(Rule.DROP_COLUMN, st, "Dropping column " + table + "." + col
                                + " deletes its data and breaks code that still reads it.");
                    }
                }
                if (cascade && !isNew) {
                    report(Rule.DROP_CASCADE, st, "DROP ... CASCADE in ALTER TABLE " + table
                            + " also drops every view, constraint and index that depends on what is dropped.");
                }
            }
            case "ALTER" -> alterColumn(st, t, a + 1, b, table, isNew);
            case "VALIDATE" -> {
                if (kw(t, a + 1, "CONSTRAINT") && a + 2 < b) {
                    String name = t.get(a + 2).name();
                    if (notValidInTransaction.contains(table + "." + name)) {
                        report(Rule.VALIDATE_IN_SAME_TRANSACTION, st, "Constraint " + name + " on " + table
                                + " is validated in the same transaction that added it NOT VALID.");
                    }
                } else {
                    unparsed(st, "VALIDATE without CONSTRAINT name");
                }
            }
            case "DETACH" -> {
                if (findTop(t, a, b, "CONCURRENTLY") >= 0) {
                    if (inTransaction()) {
                        report(Rule.CONCURRENTLY_IN_TRANSACTION, st, "DETACH PARTITION CONCURRENTLY cannot run inside a transaction block.");
                    }
                } else if (findTop(t, a, b, "FINALIZE") < 0 && !isNew) {
                    report(Rule.DETACH_PARTITION_NON_CONCURRENTLY, st, "Detaching a partition of " + table
                            + " takes an ACCESS EXCLUSIVE lock on the parent table.");
                }
            }
            case "SET" -> {
                if (kw(t, a + 1, "LOGGED") || kw(t, a + 1, "UNLOGGED")) {
                    if (!isNew) {
                        report(Rule.ALTER_TABLE_SET_LOGGED, st, "SET " + upper(t.get(a + 1)) + " on " + table
                                + " rewrites the whole table under an ACCESS EXCLUSIVE lock.");
                    }
                } else if (kw(t, a + 1, "TABLESPACE")) {
                    if (!isNew) {
                        report(Rule.SET_TABLESPACE, st, "SET TABLESPACE copies table " + table + " under an ACCESS EXCLUSIVE lock.");
                    }
                } else if (!(kw(t, a + 1, "WITHOUT") || kw(t, a + 1, "ACCESS") || kw(t, a + 1, "SCHEMA")
                        || (a + 1 < b && t.get(a + 1).type == Type.LPAREN))) {
                    unparsed(st, "ALTER TABLE SET action not understood");
                }
            }
            case "DISABLE" -> {
                if (kw(t, a + 1, "TRIGGER")) {
                    report(Rule.DISABLE_TRIGGER, st, "Disabling triggers on " + table + " skips the checks they enforce.");
                }
            }
            case "RESET", "ENABLE", "FORCE", "NO", "CLUSTER", "INHERIT", "OF", "NOT", "OWNER", "REPLICA", "ATTACH" -> {
                // metadata-only or cheap actions
            }
            default -> unparsed(st, "ALTER TABLE action " + (k.isEmpty() ? f.text() : k) + " not understood");
        }
    }

    private void alterColumn(Statement st, List<Token> t, int j, int b, String table, boolean isNew) {
        if (kw(t, j, "CONSTRAINT")) {
            return; // deferrability only
        }
        if (kw(t, j, "COLUMN")) {
            j++;
        }
        if (j >= b || !t.get(j).isName()) {
            unparsed(st, "ALTER COLUMN without a column name");
            return;
        }
        String col = t.get(j).name();
        j++;
        if (kw(t, j, "TYPE") || kw(t, j, "SET", "DATA")) {
            int typeStart = kw(t, j, "TYPE") ? j + 1 : j + 3;
            int typeEnd = b;
            int using = findTop(t, typeStart, b, "USING");
            int collate = findTop(t, typeStart, b, "COLLATE");
            if (using >= 0) {
                typeEnd = using;
            }
            if (collate >= 0 && collate < typeEnd) {
                typeEnd = collate;
            }
            checkType(st, t, typeStart, typeEnd, col);
            if (!isNew) {
                report(Rule.ALTER_COLUMN_TYPE, st, "Changing the type of " + table + "." + col
                        + " may rewrite the table and its indexes under an ACCESS EXCLUSIVE lock and breaks code expecting the old type.");
            }
        } else if (kw(t, j, "SET", "NOT")) {
            if (!isNew) {
                report(Rule.SET_NOT_NULL, st, "SET NOT NULL on " + table + "." + col
                        + " scans the whole table under an ACCESS EXCLUSIVE lock.");
            }
        } else if (kw(t, j, "DROP", "NOT")) {
            if (!isNew) {
                report(Rule.DROP_NOT_NULL, st, "DROP NOT NULL on " + table + "." + col + " lets NULL into a column code may rely on.");
            }
        } else if (kw(t, j, "SET") || kw(t, j, "DROP") || kw(t, j, "RESET") || kw(t, j, "ADD")
                || kw(t, j, "RESTART") || (j < b && t.get(j).type == Type.IDENT && kw(t, j, "OPTIONS"))) {
            // SET DEFAULT, DROP DEFAULT, statistics, storage, identity options: metadata only
        } else {
            unparsed(st, "ALTER COLUMN action not understood");
        }
    }

    private void tableConstraint(Statement st, List<Token> t, int j, int b, String table, boolean isNew) {
        String name = null;
        if (kw(t, j, "CONSTRAINT") && j + 1 < b) {
            name = t.get(j + 1).name();
            j += 2;
        }
        boolean notValid = containsSeq(t, j, b, "NOT", "VALID");
        boolean usingIndex = containsSeq(t, j, b, "USING", "INDEX");
        String label = name == null ? "" : " " + name;
        if (kw(t, j, "FOREIGN")) {
            if (!notValid && !isNew) {
                report(Rule.ADD_FOREIGN_KEY_VALIDATED, st, "Adding foreign key" + label + " on " + table
                        + " validates every row while locking both tables against writes.");
            }
        } else if (kw(t, j, "CHECK")) {
            if (!notValid && !isNew) {
                report(Rule.ADD_CHECK_CONSTRAINT_VALIDATED, st, "Adding check constraint" + label + " on " + table
                        + " scans the whole table under an ACCESS EXCLUSIVE lock.");
            }
        } else if (kw(t, j, "UNIQUE")) {
            if (!usingIndex && !isNew) {
                report(Rule.ADD_UNIQUE_CONSTRAINT, st, "Adding unique constraint" + label + " on " + table
                        + " builds an index while blocking writes (and reads, with its ACCESS EXCLUSIVE lock).");
            }
        } else if (kw(t, j, "PRIMARY")) {
            tablesWithoutPk.remove(table);
            if (!usingIndex && !isNew) {
                report(Rule.ADD_PRIMARY_KEY, st, "Adding primary key" + label + " on " + table
                        + " builds an index (and may set NOT NULL) under an ACCESS EXCLUSIVE lock.");
            }
        } else if (kw(t, j, "EXCLUDE")) {
            if (!isNew) {
                report(Rule.ADD_EXCLUSION_CONSTRAINT, st, "Adding exclusion constraint" + label + " on " + table
                        + " builds an index and scans the table under an ACCESS EXCLUSIVE lock.");
            }
        } else {
            unparsed(st, "table constraint not understood");
            return;
        }
        if (notValid && name != null && inTransaction()) {
            notValidInTransaction.add(table + "." + name);
        }
    }

    // ---- column definitions and types

    /** What a column definition says, as far as the rules care. */
    private static final class ColumnDef {
        String name = "?";
        int typeStart;
        int typeEnd;
        boolean notNull;
        boolean hasDefault;
        boolean volatileDefault;
        String volatileFunction;
        boolean primaryKey;
        boolean unique;
        boolean references;
        boolean check;
        boolean identity;
        boolean stored;
        boolean serial;
    }

    private static boolean isColumnConstraintWord(Token k) {
        return k.type == Type.IDENT && COLUMN_CONSTRAINT_WORDS.contains(upper(k));
    }

    private static ColumnDef columnDef(List<Token> t, int j, int b) {
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
    private static String typeWords(List<Token> t, int from, int to) {
        StringBuilder sb = new StringBuilder();
        int depth = 0;
        for (int i = from; i < to; i++) {
            Token k = t.get(i);
            if (k.type == Type.LPAREN || k.type == Type.LBRACKET) {
                depth++;
            } else if (k.type == Type.RPAREN || k.type == Type.RBRACKET) {
                depth--;
            } else if (depth == 0 && k.type == Type.DOT) {
                sb.setLength(0);
            } else if (depth == 0 && k.type == Type.IDENT) {
                if (sb.length() > 0) {
                    sb.append(' ');
                }
                sb.append(k.text().toLowerCase(Locale.ROOT));
            } else if (depth == 0 && k.type == Type.QUOTED_IDENT) {
                if (sb.length() > 0) {
                    sb.append(' ');
                }
                sb.append('"').append(k.name()).append('"');
            }
        }
        return sb.toString();
    }

    private static boolean hasParen(List<Token> t, int from, int to) {
        for (int i = from; i < to; i++) {
            if (t.get(i).type == Type.LPAREN) {
                return true;
            }
        }
        return false;
    }

    private void checkTypes(Statement st, List<Token> t, ColumnDef cd) {
        checkType(st, t, cd.typeStart, cd.typeEnd, cd.name);
    }

    private void checkType(Statement st, List<Token> t, int from, int to, String column) {
        String w = typeWords(t, from, to);
        switch (w) {
            case "int", "integer", "int4", "smallint", "int2", "serial", "serial4", "smallserial", "serial2" ->
                    report(Rule.PREFER_BIGINT, st, "Column " + column + " is " + w + " (32 bits or less); ids and counters outgrow it.");
            default -> { }
        }
        switch (w) {
            case "serial", "serial4", "bigserial", "serial8", "smallserial", "serial2" ->
                    report(Rule.PREFER_IDENTITY, st, "Column " + column + " uses " + w + ".");
            case "varchar", "character varying", "char varying" -> {
                if (hasParen(t, from, to)) {
                    report(Rule.PREFER_TEXT, st, "Column " + column + " is " + w + "(n); changing n later may need a rewrite and breaks long values.");
                }
            }
            case "timestamp", "timestamp without time zone" ->
                    report(Rule.PREFER_TIMESTAMPTZ, st, "Column " + column + " is " + w + ".");
            case "char", "character", "bpchar", "nchar", "national character", "national char" ->
                    report(Rule.BAN_CHAR, st, "Column " + column + " is " + w + " (blank-padded).");
            default -> { }
        }
    }

    private void addColumnChecks(Statement st, ColumnDef cd, String table) {
        String col = table + "." + cd.name;
        if (cd.serial || cd.identity) {
            report(Rule.ADD_COLUMN_SERIAL, st, "Adding " + (cd.serial ? "serial" : "identity") + " column " + col
                    + " fills every existing row from a sequence, rewriting the table under an ACCESS EXCLUSIVE lock.");
        }
        if (cd.stored) {
            report(Rule.ADD_COLUMN_GENERATED_STORED, st, "Adding stored generated column " + col
                    + " computes it for every row, rewriting the table under an ACCESS EXCLUSIVE lock.");
        }
        if (cd.volatileDefault) {
            report(Rule.ADD_COLUMN_VOLATILE_DEFAULT, st, "Adding column " + col + " with volatile default "
                    + cd.volatileFunction + "() rewrites the whole table under an ACCESS EXCLUSIVE lock.");
        }
        if (cd.notNull && !cd.hasDefault && !cd.identity && !cd.stored && !cd.serial) {
            report(Rule.ADD_COLUMN_NOT_NULL_WITHOUT_DEFAULT, st, "Adding NOT NULL column " + col
                    + " without a default fails on a table that has rows, and breaks old code that does not write it.");
        }
        if (cd.primaryKey) {
            report(Rule.ADD_PRIMARY_KEY, st, "Adding column " + col + " as primary key builds an index under an ACCESS EXCLUSIVE lock.");
            tablesWithoutPk.remove(table);
        }
        if (cd.unique) {
            report(Rule.ADD_UNIQUE_CONSTRAINT, st, "Adding column " + col + " with UNIQUE builds an index under an ACCESS EXCLUSIVE lock.");
        }
        if (cd.references) {
            report(Rule.ADD_FOREIGN_KEY_VALIDATED, st, "Adding column " + col
                    + " with REFERENCES adds a validated foreign key, locking both tables against writes.");
        }
        if (cd.check) {
            report(Rule.ADD_CHECK_CONSTRAINT_VALIDATED, st, "Adding column " + col + " with CHECK validates every row under an ACCESS EXCLUSIVE lock.");
        }
    }

    // ---- CREATE

    private void create(Statement st, List<Token> t, int i) {
        checkIdentifierLength(st, t);
        int j = i;
        if (kw(t, j, "OR", "REPLACE")) {
            j += 2;
        }
        if (kw(t, j, "GLOBAL") || kw(t, j, "LOCAL")) {
            j++;
        }
        boolean temp = false;
        if (kw(t, j, "TEMP") || kw(t, j, "TEMPORARY")) {
            temp = true;
            j++;
        }
        if (kw(t, j, "UNLOGGED")) {
            j++;
        }
        if (kw(t, j, "TABLE")) {
            createTable(st, t, j + 1, temp);
        } else if (kw(t, j, "INDEX") || kw(t, j, "UNIQUE", "INDEX")) {
            createIndex(st, t, kw(t, j, "INDEX") ? j + 1 : j + 2);
        } else if (kw(t, j, "SEQUENCE") || kw(t, j, "SCHEMA")) {
            boolean schema = kw(t, j, "SCHEMA");
            int k = j + 1;
            if (kw(t, k, "IF", "NOT")) {
                k += 3;
            }
            String[] out = new String[1];
            if (qname(t, k, out) > 0) {
                (schema ? createdSchemas : createdSequences).add(out[0]);
            }
        } else if (kw(t, j, "FOREIGN", "TABLE")) {
            String[] out = new String[1];
            int k = j + 2;
            if (kw(t, k, "IF", "NOT")) {
                k += 3;
            }
            if (qname(t, k, out) > 0) {
                createdTables.add(out[0]);
            }
        } else if (j >= t.size() || !HARMLESS_CREATE_WORDS.contains(upper(t.get(j)))) {
            unparsed(st, "CREATE of an unknown object kind");
        }
    }

    private void createTable(Statement st, List<Token> t, int j, boolean temp) {
        int n = t.size();
        if (kw(t, j, "IF", "NOT")) {
            j += 3;
        }
        String[] out = new String[1];
        j = qname(t, j, out);
        if (j < 0) {
            unparsed(st, "CREATE TABLE without a name");
            return;
        }
        String table = out[0];
        createdTables.add(table);
        if (j >= n || t.get(j).type != Type.LPAREN) {
            return; // AS query, PARTITION OF, OF type
        }
        int close = closing(t, j, n);
        boolean hasPk = false;
        for (int[] el : splitTop(t, j + 1, close)) {
            int a = el[0];
            int b = el[1];
            if (a >= b) {
                continue;
            }
            Token f = t.get(a);
            if (isTableConstraintStart(f)) {
                if (f.is("PRIMARY") || (f.is("CONSTRAINT") && kw(t, a + 2, "PRIMARY"))) {
                    hasPk = true;
                }
            } else if (f.is("LIKE")) {
                hasPk = true; // may copy the key; do not guess
            } else {
                ColumnDef cd = columnDef(t, a, b);
                checkTypes(st, t, cd);
                hasPk |= cd.primaryKey;
            }
        }
        if (findTop(t, close, n, "INHERITS") >= 0) {
            hasPk = true;
        }
        if (!hasPk && !temp) {
            tablesWithoutPk.put(table, st);
        }
    }

    private void createIndex(Statement st, List<Token> t, int j) {
        boolean concurrently = false;
        if (kw(t, j, "CONCURRENTLY")) {
            concurrently = true;
            j++;
        }
        if (kw(t, j, "IF", "NOT")) {
            j += 3;
        }
        String[] out = new String[1];
        if (!kw(t, j, "ON")) {
            j = qname(t, j, out);
            if (j < 0) {
                unparsed(st, "CREATE INDEX without ON");
                return;
            }
            createdIndexes.add(out[0]);
        }
        if (!kw(t, j, "ON")) {
            unparsed(st, "CREATE INDEX without ON");
            return;
        }
        j++;
        if (kw(t, j, "ONLY")) {
            j++;
        }
        if (qname(t, j, out) < 0) {
            unparsed(st, "CREATE INDEX without a table");
            return;
        }
        String table = out[0];
        if (concurrently) {
            if (inTransaction()) {
                report(Rule.CONCURRENTLY_IN_TRANSACTION, st, "CREATE INDEX CONCURRENTLY on " + table
                        + " cannot run inside a transaction block.");
            }
        } else if (!createdTables.contains(table)) {
            report(Rule.CREATE_INDEX_NON_CONCURRENTLY, st, "Creating an index on existing table " + table
                    + " without CONCURRENTLY blocks all writes to it until the index is built.");
            locking(st, false);
        }
    }

    // ---- DROP

    private void drop(Statement st, List<Token> t, int i) {
        int n = t.size();
        if (i >= n || t.get(i).type != Type.IDENT) {
            unparsed(st, "DROP without an object kind");
            return;
        }
        boolean cascade = t.get(n - 1).is("CASCADE");
        String kind = upper(t.get(i));
        int j = i + 1;
        if (kind.equals("FOREIGN") && kw(t, j, "TABLE")) {
            kind = "TABLE";
            j++;
        } else if (kind.equals("MATERIALIZED") && kw(t, j, "VIEW")) {
            kind = "VIEW";
            j++;
        }
        boolean concurrently = false;
        if (kw(t, j, "CONCURRENTLY")) {
            concurrently = true;
            j++;
        }
        if (kw(t, j, "IF", "EXISTS")) {
            j += 2;
        }
        List<String> names = nameList(t, j);
        switch (kind) {
            case "TABLE" -> {
                if (!createdTables.containsAll(names) || names.isEmpty()) {
                    report(Rule.DROP_TABLE, st, "Dropping table " + joined(names) + " deletes all its data.");
                    locking(st, false);
                }
                names.forEach(createdTables::remove);
            }
            case "INDEX" -> {
                if (concurrently) {
                    if (inTransaction()) {
                        report(Rule.CONCURRENTLY_IN_TRANSACTION, st, "DROP INDEX CONCURRENTLY cannot run inside a transaction block.");
                    }
                } else if (!createdIndexes.containsAll(names) || names.isEmpty()) {
                    report(Rule.DROP_INDEX_NON_CONCURRENTLY, st, "Dropping index " + joined(names)
                            + " without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on its table.");
                    locking(st, false);
                }
            }
            case "SEQUENCE" -> {
                if (!createdSequences.containsAll(names) || names.isEmpty()) {
                    report(Rule.DROP_SEQUENCE, st, "Dropping sequence " + joined(names)
                            + " loses its position and breaks defaults that call nextval() on it.");
                }
            }
            case "SCHEMA" -> {
                if (!createdSchemas.containsAll(names) || names.isEmpty()) {
                    report(Rule.DROP_SCHEMA, st, "Dropping schema " + joined(names) + " deletes everything in it.");
                }
            }
            case "DATABASE" -> report(Rule.DROP_DATABASE, st, "Dropping database " + joined(names) + " deletes all of it.");
            case "VIEW" -> report(Rule.DROP_VIEW, st, "Dropping view " + joined(names) + " breaks code that still queries it.");
            case "FUNCTION", "PROCEDURE", "ROUTINE", "AGGREGATE" ->
                    report(Rule.DROP_FUNCTION, st, "Dropping " + kind.toLowerCase(Locale.ROOT) + " " + joined(names)
                            + " breaks code, triggers and defaults that still call it.");
            case "TYPE", "DOMAIN" -> report(Rule.DROP_TYPE, st, "Dropping " + kind.toLowerCase(Locale.ROOT) + " "
                    + joined(names) + " breaks columns and code that use it.");
            case "OWNED" -> report(Rule.DROP_OWNED, st, "DROP OWNED drops every object the role owns, with their data.");
            default -> {
                if (!HARMLESS_DROP_KINDS.contains(kind)) {
                    unparsed(st, "DROP of unknown object kind " + kind);
                    return;
                }
            }
        }
        if (cascade) {
            report(Rule.DROP_CASCADE, st, "DROP ... CASCADE also drops every object that depends on " + joined(names) + ".");
        }
    }

    // ---- data changes

    private void truncate(Statement st, List<Token> t, int i) {
        if (kw(t, i, "TABLE")) {
            i++;
        }
        List<String> names = nameList(t, i);
        if (names.isEmpty() || !createdTables.containsAll(names)) {
            report(Rule.TRUNCATE, st, "TRUNCATE " + joined(names) + " deletes every row.");
            locking(st, false);
        }
    }

    private void delete(Statement st, List<Token> t, int i) {
        if (!kw(t, i, "FROM")) {
            unparsed(st, "DELETE without FROM");
            return;
        }
        List<String> names = nameList(t, i + 1);
        String table = names.isEmpty() ? "?" : names.get(0);
        if (createdTables.contains(table)) {
            return;
        }
        if (findTop(t, i, t.size(), "WHERE") < 0) {
            report(Rule.DELETE_WITHOUT_WHERE, st, "DELETE FROM " + table + " without WHERE deletes every row.");
        } else {
            report(Rule.BACKFILL_IN_MIGRATION, st, "DELETE on " + table + " changes data inside the schema migration.");
        }
    }

    private void update(Statement st, List<Token> t, int i) {
        List<String> names = nameList(t, i);
        String table = names.isEmpty() ? "?" : names.get(0);
        if (createdTables.contains(table)) {
            return;
        }
        if (findTop(t, i, t.size(), "WHERE") < 0) {
            report(Rule.UPDATE_WITHOUT_WHERE, st, "UPDATE " + table + " without WHERE rewrites every row in one transaction.");
        } else {
            report(Rule.BACKFILL_IN_MIGRATION, st, "UPDATE on " + table + " backfills data inside the schema migration.");
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
                unparsed(st, "WITH query not understood");
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
                unparsed(st, "WITH query not understood");
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

    // ---- maintenance

    private void vacuum(Statement st, List<Token> t, int i) {
        int n = t.size();
        boolean full = false;
        for (int k = i; k < n; k++) {
            if (t.get(k).is("FULL")) {
                full = !(kw(t, k + 1, "FALSE") || kw(t, k + 1, "OFF")
                        || (k + 1 < n && t.get(k + 1).type == Type.NUMBER && t.get(k + 1).text().equals("0")));
                break;
            }
            if (t.get(k).type == Type.IDENT && !t.get(k).is("FREEZE") && !t.get(k).is("VERBOSE")
                    && !t.get(k).is("ANALYZE") && !t.get(k).is("ANALYSE") && k > i && t.get(k - 1).type != Type.LPAREN
                    && t.get(k - 1).type != Type.COMMA) {
                break; // reached the table list
            }
        }
        if (full) {
            report(Rule.VACUUM_FULL, st, "VACUUM FULL rewrites the table under an ACCESS EXCLUSIVE lock.");
            locking(st, false);
        }
        if (inTransaction()) {
            report(Rule.CONCURRENTLY_IN_TRANSACTION, st, "VACUUM cannot run inside a transaction block.");
        }
    }

    private void cluster(Statement st, List<Token> t, int i) {
        String[] out = new String[1];
        if (i < t.size() && t.get(i).type == Type.LPAREN) {
            i = closing(t, i, t.size()) + 1;
        }
        if (kw(t, i, "VERBOSE")) {
            i++;
        }
        if (qname(t, i, out) > 0 && createdTables.contains(out[0])) {
            return;
        }
        report(Rule.CLUSTER, st, "CLUSTER rewrites the table under an ACCESS EXCLUSIVE lock.");
        locking(st, false);
    }

    private void reindex(Statement st, List<Token> t, int i) {
        int n = t.size();
        boolean concurrently = false;
        if (i < n && t.get(i).type == Type.LPAREN) {
            int close = closing(t, i, n);
            concurrently = findTop(t, i + 1, close, "CONCURRENTLY") >= 0 || containsAt(t, i + 1, close, "CONCURRENTLY");
            i = close + 1;
        }
        if (i >= n) {
            unparsed(st, "REINDEX without a target");
            return;
        }
        String kind = upper(t.get(i));
        i++;
        if (kw(t, i, "CONCURRENTLY")) {
            concurrently = true;
            i++;
        }
        String[] out = new String[1];
        boolean newTable = kind.equals("TABLE") && qname(t, i, out) > 0 && createdTables.contains(out[0]);
        boolean newIndex = kind.equals("INDEX") && qname(t, i, out) > 0 && createdIndexes.contains(out[0]);
        if (concurrently) {
            if (inTransaction()) {
                report(Rule.CONCURRENTLY_IN_TRANSACTION, st, "REINDEX CONCURRENTLY cannot run inside a transaction block.");
            }
        } else if (!newTable && !newIndex) {
            report(Rule.REINDEX_NON_CONCURRENTLY, st, "REINDEX " + kind + " without CONCURRENTLY blocks writes (and reads that use the index).");
            locking(st, false);
        }
    }

    private static boolean containsAt(List<Token> t, int from, int to, String word) {
        for (int i = from; i < to; i++) {
            if (t.get(i).is(word)) {
                return true;
            }
        }
        return false;
    }

    private void refresh(Statement st, List<Token> t, int i) {
        if (!kw(t, i, "MATERIALIZED", "VIEW")) {
            unparsed(st, "REFRESH of something other than a materialized view");
            return;
        }
        if (!kw(t, i + 2, "CONCURRENTLY")) {
            report(Rule.REFRESH_MATERIALIZED_VIEW_NON_CONCURRENTLY, st,
                    "REFRESH MATERIALIZED VIEW without CONCURRENTLY blocks every reader of the view until it finishes.");
            locking(st, false);
        }
    }

    // ---- settings and transactions

    private void set(Statement st, List<Token> t, int i) {
        boolean local = false;
        if (kw(t, i, "SESSION") && !kw(t, i + 1, "AUTHORIZATION") && !kw(t, i + 1, "CHARACTERISTICS")) {
            i++;
        } else if (kw(t, i, "LOCAL")) {
            local = true;
            i++;
        }
        if (i >= t.size() || !t.get(i).isName()) {
            return;
        }
        String param = t.get(i).name();
        boolean lock = param.equals("lock_timeout");
        boolean stmt = param.equals("statement_timeout");
        if (!lock && !stmt) {
            return;
        }
        int v = i + 1;
        if (kw(t, v, "TO") || (v < t.size() && isOp(t.get(v), "="))) {
            v++;
        }
        boolean on = v < t.size() && !isZero(t.get(v));
        if (lock) {
            lockTimeout = on;
            lockTimeoutLocal = local;
        } else {
            statementTimeout = on;
            statementTimeoutLocal = local;
        }
    }

    private static boolean isZero(Token v) {
        if (v.is("DEFAULT")) {
            return true;
        }
        String s = v.type == Type.STRING ? v.stringValue() : v.text();
        s = s == null ? "" : s.trim();
        int i = 0;
        boolean digit = false;
        while (i < s.length() && (s.charAt(i) == '0' || s.charAt(i) == '.')) {
            digit |= s.charAt(i) == '0';
            i++;
        }
        String unit = s.substring(i).trim();
        return digit && (unit.isEmpty() || unit.equals("ms") || unit.equals("s") || unit.equals("min")
                || unit.equals("h") || unit.equals("d") || unit.equals("us"));
    }

    private void reset(List<Token> t, int i) {
        if (kw(t, i, "ALL")) {
            lockTimeout = false;
            statementTimeout = false;
        } else if (i < t.size() && t.get(i).isName()) {
            String p = t.get(i).name();
            if (p.equals("lock_timeout")) {
                lockTimeout = false;
            } else if (p.equals("statement_timeout")) {
                statementTimeout = false;
            }
        }
    }

    private void begin(Statement st) {
        if (inTransaction()) {
            report(Rule.TRANSACTION_NESTING, st, explicitTransaction
                    ? "BEGIN inside a transaction that is already open; PostgreSQL ignores it and the inner COMMIT ends the outer transaction."
                    : "BEGIN inside the transaction the migration runner already opened.");
        }
        explicitTransaction = true;
    }

    private void commit(Statement st, List<Token> t, int i) {
        if (kw(t, i, "TO") || kw(t, i, "PREPARED")) {
            return; // ROLLBACK TO SAVEPOINT, COMMIT PREPARED
        }
        if (explicitTransaction) {
            explicitTransaction = false;
        } else if (runnerTransaction) {
            report(Rule.TRANSACTION_NESTING, st, upper(st.code.get(0))
                    + " ends the transaction the migration runner opened; the rest of the script runs outside it.");
        }
        notValidInTransaction.clear();
        if (lockTimeoutLocal) {
            lockTimeout = false;
            lockTimeoutLocal = false;
        }
        if (statementTimeoutLocal) {
            statementTimeout = false;
            statementTimeoutLocal = false;
        }
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
                unparsed(st, "DO block not understood");
                return;
            }
        }
        if (body == null) {
            unparsed(st, "DO without a body");
            return;
        }
        if (!language.equals("plpgsql")) {
            unparsed(st, "DO block in language " + language + " cannot be checked");
            return;
        }
        if (doDepth >= MAX_DO_DEPTH) {
            unparsed(st, "DO blocks nested too deeply");
            return;
        }
        List<Statement> inner = lexEmbedded(body);
        doDepth++;
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
            doDepth--;
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
        Statement sql = i == 0 ? s : sub(s, t.subList(i, n));
        Token f = t.get(i);
        String k = upper(f);
        if (k.equals("EXECUTE")) {
            Token arg = i + 1 < n ? t.get(i + 1) : null;
            boolean literal = arg != null && (arg.type == Type.STRING || arg.type == Type.DOLLAR_STRING)
                    && (i + 2 == n || kw(t, i + 2, "INTO") || kw(t, i + 2, "USING"));
            if (!literal) {
                unparsed(sql, "dynamic SQL in EXECUTE cannot be checked");
                return;
            }
            boolean saveDeclare = inDeclare;
            for (Statement e : lexEmbedded(arg)) {
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

    private static Statement sub(Statement s, List<Token> code) {
        Statement out = new Statement(s.src, code, s.leadingComments, null);
        out.parent = s.parent;
        return out;
    }
}
