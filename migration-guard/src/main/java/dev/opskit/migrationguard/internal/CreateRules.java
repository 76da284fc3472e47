package dev.opskit.migrationguard.internal;

import static dev.opskit.migrationguard.internal.Parse.*;

import dev.opskit.migrationguard.Rule;
import dev.opskit.migrationguard.internal.Token.Type;
import dev.opskit.migrationguard.internal.TypeRules.ColumnDef;
import java.util.List;
import java.util.Set;

/** Rules on CREATE TABLE and CREATE INDEX; records what the file creates. */
final class CreateRules {
    private static final Set<String> HARMLESS_CREATE_WORDS = Set.of(
            "VIEW", "MATERIALIZED", "FUNCTION", "PROCEDURE", "TRIGGER", "CONSTRAINT", "SEQUENCE", "EXTENSION",
            "SCHEMA", "TYPE", "DOMAIN", "POLICY", "RULE", "ROLE", "USER", "GROUP", "AGGREGATE", "CAST",
            "COLLATION", "CONVERSION", "PUBLICATION", "SUBSCRIPTION", "EVENT", "STATISTICS", "SERVER", "TEXT",
            "OPERATOR", "LANGUAGE", "PROCEDURAL", "TRUSTED", "DATABASE", "TABLESPACE", "ACCESS", "TRANSFORM",
            "DEFAULT", "RECURSIVE", "FOREIGN");
    private final FileState s;
    private final TypeRules types;

    CreateRules(FileState s, TypeRules types) {
        this.s = s;
        this.types = types;
    }

    void create(Statement st, List<Token> t, int i) {
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
            // IF NOT EXISTS: the object may exist already, with data; it is not new
            if (!kw(t, j + 1, "IF", "NOT")) {
                String[] out = new String[1];
                if (qname(t, j + 1, out) > 0) {
                    (schema ? s.createdSchemas : s.createdSequences).add(out[0]);
                }
            }
        } else if (kw(t, j, "DOMAIN")) {
            // CREATE DOMAIN name [AS] type ...
            String[] out = new String[1];
            int k = qname(t, j + 1, out);
            if (k > 0) {
                if (kw(t, k, "AS")) {
                    k++;
                }
                types.checkType(st, t, k, TypeRules.typeEnd(t, k, t.size()), "Domain " + out[0]);
            }
        } else if (kw(t, j, "TYPE")) {
            // CREATE TYPE name AS (attribute type, ...): a composite type's attributes
            String[] out = new String[1];
            int k = qname(t, j + 1, out);
            if (k > 0 && kw(t, k, "AS") && k + 1 < t.size() && t.get(k + 1).type == Type.LPAREN) {
                for (int[] el : splitTop(t, k + 2, closing(t, k + 1, t.size()))) {
                    if (el[0] < el[1]) {
                        types.checkTypes(st, t, TypeRules.columnDef(t, el[0], el[1]));
                    }
                }
            }
        } else if (kw(t, j, "FOREIGN", "TABLE")) {
            String[] out = new String[1];
            if (!kw(t, j + 2, "IF", "NOT") && qname(t, j + 2, out) > 0) {
                s.createdTables.add(out[0]);
            }
        } else if (j >= t.size() || !HARMLESS_CREATE_WORDS.contains(upper(t.get(j)))) {
            s.unparsed(st, "CREATE of an unknown object kind");
        }
    }

    void createTable(Statement st, List<Token> t, int j, boolean temp) {
        int n = t.size();
        boolean ifNotExists = kw(t, j, "IF", "NOT");
        if (ifNotExists) {
            j += 3;
        }
        String[] out = new String[1];
        j = qname(t, j, out);
        if (j < 0) {
            s.unparsed(st, "CREATE TABLE without a name");
            return;
        }
        String table = out[0];
        if (!ifNotExists) {
            s.createdTables.add(table); // with IF NOT EXISTS it may be an existing table with data
        }
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
                ColumnDef cd = TypeRules.columnDef(t, a, b);
                types.checkTypes(st, t, cd);
                hasPk |= cd.primaryKey;
            }
        }
        if (findTop(t, close, n, "INHERITS") >= 0) {
            hasPk = true;
        }
        if (!hasPk && !temp) {
            s.tablesWithoutPk.put(table, st);
        }
    }

    void createIndex(Statement st, List<Token> t, int j) {
        boolean concurrently = false;
        if (kw(t, j, "CONCURRENTLY")) {
            concurrently = true;
            j++;
        }
        boolean ifNotExists = kw(t, j, "IF", "NOT");
        if (ifNotExists) {
            j += 3;
        }
        String[] out = new String[1];
        if (!kw(t, j, "ON")) {
            j = qname(t, j, out);
            if (j < 0) {
                s.unparsed(st, "CREATE INDEX without ON");
                return;
            }
            if (!ifNotExists) {
                s.createdIndexes.add(out[0]);
            }
        }
        if (!kw(t, j, "ON")) {
            s.unparsed(st, "CREATE INDEX without ON");
            return;
        }
        j++;
        if (kw(t, j, "ONLY")) {
            j++;
        }
        if (qname(t, j, out) < 0) {
            s.unparsed(st, "CREATE INDEX without a table");
            return;
        }
        String table = out[0];
        if (concurrently) {
            if (s.inTransaction()) {
                s.report(Rule.CONCURRENTLY_IN_TRANSACTION, st, "CREATE INDEX CONCURRENTLY on " + table
                        + " cannot run inside a transaction block.");
            }
        } else if (!s.createdTables.contains(table)) {
            s.report(Rule.CREATE_INDEX_NON_CONCURRENTLY, st, "Creating an index on existing table " + table
                    + " without CONCURRENTLY blocks all writes to it until the index is built.");
            s.locking(st, false);
        }
    }
}
