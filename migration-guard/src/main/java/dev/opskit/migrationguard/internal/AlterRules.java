package dev.opskit.migrationguard.internal;

import static dev.opskit.migrationguard.internal.Parse.*;

import dev.opskit.migrationguard.Rule;
import dev.opskit.migrationguard.internal.Token.Type;
import dev.opskit.migrationguard.internal.TypeRules.ColumnDef;
import java.util.ArrayList;
import java.util.List;

/** Rules on ALTER TABLE (and ALTER TYPE, SCHEMA, VIEW): rewrites, scans, locks, renames and dropped columns. */
final class AlterRules {
    private final FileState s;
    private final TypeRules types;
    /** The columns the ALTER TABLE being analysed drops, for one finding that names them all. */
    private List<String> droppedColumns = List.of();

    AlterRules(FileState s, TypeRules types) {
        this.s = s;
        this.types = types;
    }

    void alter(Statement st, List<Token> t, int i) {
        if (kw(t, i, "TABLE")) {
            alterTable(st, t, i + 1);
        } else if (kw(t, i, "FOREIGN", "TABLE")) {
            alterTable(st, t, i + 2);
        } else if (kw(t, i, "TYPE")) {
            String[] out = new String[1];
            int j = qname(t, i + 1, out);
            if (j > 0 && (kw(t, j, "ADD", "VALUE") || kw(t, j, "RENAME", "VALUE"))) {
                s.report(Rule.ALTER_ENUM_VALUE, st, "Changing the values of enum type " + out[0]
                        + " can break code that reads or writes it.");
            }
        } else if (kw(t, i, "SCHEMA")) {
            String[] out = new String[1];
            int j = qname(t, i + 1, out);
            if (j > 0 && kw(t, j, "RENAME")) {
                s.report(Rule.RENAME_SCHEMA, st, "Renaming schema " + out[0] + " breaks every query that names it.");
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
                    s.report(Rule.RENAME_TABLE, st, "Renaming view " + out[0] + " breaks running code that still uses the old name.");
                } else {
                    s.report(Rule.RENAME_COLUMN, st, "Renaming a column of view " + out[0] + " breaks running code that uses the old name.");
                }
            }
        } else if (i >= t.size() || t.get(i).type != Type.IDENT) {
            s.unparsed(st, "ALTER without an object kind");
        }
        // other ALTER kinds (INDEX, SEQUENCE, FUNCTION, ROLE, DEFAULT PRIVILEGES, ...) take no table lock worth flagging
    }

    void alterTable(Statement st, List<Token> t, int i) {
        int n = t.size();
        int j = i;
        if (kw(t, j, "IF", "EXISTS")) {
            j += 2;
        }
        if (kw(t, j, "ALL", "IN")) {
            if (findTop(t, j, n, "TABLESPACE") >= 0 && containsSeq(t, j + 2, n, "SET", "TABLESPACE")) {
                s.report(Rule.SET_TABLESPACE, st, "Moving all tables of a tablespace copies them under an ACCESS EXCLUSIVE lock.");
                s.locking(st, false);
            }
            return;
        }
        if (kw(t, j, "ONLY")) {
            j++;
        }
        String[] out = new String[1];
        j = qname(t, j, out);
        if (j < 0) {
            s.unparsed(st, "ALTER TABLE without a table name");
            return;
        }
        String table = out[0];
        if (j < n && isOp(t.get(j), "*")) {
            j++;
        }
        if (j >= n) {
            s.unparsed(st, "ALTER TABLE without an action");
            return;
        }
        boolean isNew = s.createdTables.contains(table);
        s.locking(st, isNew);
        if (kw(t, j, "RENAME")) {
            if (kw(t, j + 1, "TO")) {
                String newName = j + 2 < n && t.get(j + 2).isName() ? t.get(j + 2).name() : "?";
                if (!isNew) {
                    s.report(Rule.RENAME_TABLE, st, "Renaming table " + table + " to " + newName
                            + " breaks running code that still uses the old name.");
                }
                s.createdTables.remove(table);
                if (isNew) {
                    int dot = table.lastIndexOf('.');
                    s.createdTables.add(dot < 0 ? newName : table.substring(0, dot + 1) + newName); // same schema
                }
            } else if (!kw(t, j + 1, "CONSTRAINT") && !isNew) {
                int c = kw(t, j + 1, "COLUMN") ? j + 2 : j + 1;
                String col = c < n && t.get(c).isName() ? t.get(c).name() : "?";
                s.report(Rule.RENAME_COLUMN, st, "Renaming column " + table + "." + col
                        + " breaks running code that still uses the old name.");
            }
            return;
        }
        if (kw(t, j, "SET", "SCHEMA")) {
            if (!isNew) {
                s.report(Rule.RENAME_TABLE, st, "Moving table " + table + " to another schema breaks running code that names it.");
            }
            return;
        }
        List<int[]> actions = splitTop(t, j, n);
        droppedColumns = new ArrayList<>();
        for (int[] action : actions) {
            int c = droppedColumn(t, action[0], action[1]);
            if (c >= 0) {
                droppedColumns.add(c < action[1] && t.get(c).isName() ? t.get(c).name() : "?");
            }
        }
        for (int[] action : actions) {
            if (action[0] >= action[1]) {
                s.unparsed(st, "empty ALTER TABLE action");
                continue;
            }
            tableAction(st, t, action[0], action[1], table, isNew);
        }
    }

    void tableAction(Statement st, List<Token> t, int a, int b, String table, boolean isNew) {
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
                    s.unparsed(st, "ADD without a definition");
                } else if (!columnKeyword && isTableConstraintStart(t.get(j))) {
                    tableConstraint(st, t, j, b, table, isNew);
                } else {
                    ColumnDef cd = TypeRules.columnDef(t, j, b);
                    types.checkTypes(st, t, cd);
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
                    s.facts.constraintDropped(table, name);
                    if (!isNew) {
                        s.report(Rule.DROP_CONSTRAINT, st, "Dropping constraint " + name + " on " + table
                                + " removes a guarantee the data had.");
                    }
                } else if (!isNew) {
                    // one finding per statement and rule: it names every column the statement drops
                    List<String> cols = droppedColumns.stream().map(col -> table + "." + col).toList();
                    s.report(Rule.DROP_COLUMN, st, cols.size() == 1
                            ? "Dropping column " + cols.get(0) + " deletes its data and breaks code that still reads it."
                            : "Dropping columns " + String.join(", ", cols)
                                    + " deletes their data and breaks code that still reads them.");
                }
                if (cascade && !isNew) {
                    s.report(Rule.DROP_CASCADE, st, "DROP ... CASCADE in ALTER TABLE " + table
                            + " also drops every view, constraint and index that depends on what is dropped.");
                }
            }
            case "ALTER" -> alterColumn(st, t, a + 1, b, table, isNew);
            case "VALIDATE" -> {
                if (kw(t, a + 1, "CONSTRAINT") && a + 2 < b) {
                    String name = t.get(a + 2).name();
                    s.facts.constraintValidated(table, name);
                    if (s.notValidInTransaction.contains(table + "." + name)) {
                        s.report(Rule.VALIDATE_IN_SAME_TRANSACTION, st, "Constraint " + name + " on " + table
                                + " is validated in the same transaction that added it NOT VALID.");
                    }
                } else {
                    s.unparsed(st, "VALIDATE without CONSTRAINT name");
                }
            }
            case "DETACH" -> {
                if (findTop(t, a, b, "CONCURRENTLY") >= 0) {
                    if (s.inTransaction()) {
                        s.report(Rule.CONCURRENTLY_IN_TRANSACTION, st, "DETACH PARTITION CONCURRENTLY cannot run inside a transaction block.");
                    }
                } else if (findTop(t, a, b, "FINALIZE") < 0 && !isNew) {
                    s.report(Rule.DETACH_PARTITION_NON_CONCURRENTLY, st, "Detaching a partition of " + table
                            + " takes an ACCESS EXCLUSIVE lock on the parent table.");
                }
            }
            case "SET" -> {
                if (kw(t, a + 1, "LOGGED") || kw(t, a + 1, "UNLOGGED")) {
                    if (!isNew) {
                        s.report(Rule.ALTER_TABLE_SET_LOGGED, st, "SET " + upper(t.get(a + 1)) + " on " + table
                                + " rewrites the whole table under an ACCESS EXCLUSIVE lock.");
                    }
                } else if (kw(t, a + 1, "TABLESPACE")) {
                    if (!isNew) {
                        s.report(Rule.SET_TABLESPACE, st, "SET TABLESPACE copies table " + table + " under an ACCESS EXCLUSIVE lock.");
                    }
                } else if (!(kw(t, a + 1, "WITHOUT") || kw(t, a + 1, "ACCESS") || kw(t, a + 1, "SCHEMA")
                        || (a + 1 < b && t.get(a + 1).type == Type.LPAREN))) {
                    s.unparsed(st, "ALTER TABLE SET action not understood");
                }
            }
            case "DISABLE" -> {
                if (kw(t, a + 1, "TRIGGER")) {
                    s.report(Rule.DISABLE_TRIGGER, st, "Disabling triggers on " + table + " skips the checks they enforce.");
                }
            }
            case "RESET", "ENABLE", "FORCE", "NO", "CLUSTER", "INHERIT", "OF", "NOT", "OWNER", "REPLICA", "ATTACH" -> {
                // metadata-only or cheap actions
            }
            default -> s.unparsed(st, "ALTER TABLE action " + (k.isEmpty() ? f.text() : k) + " not understood");
        }
    }

    void alterColumn(Statement st, List<Token> t, int j, int b, String table, boolean isNew) {
        if (kw(t, j, "CONSTRAINT")) {
            return; // deferrability only
        }
        if (kw(t, j, "COLUMN")) {
            j++;
        }
        if (j >= b || !t.get(j).isName()) {
            s.unparsed(st, "ALTER COLUMN without a column name");
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
            types.checkType(st, t, typeStart, typeEnd, "Column " + col);
            if (!isNew) {
                s.report(Rule.ALTER_COLUMN_TYPE, st, "Changing the type of " + table + "." + col
                        + " may rewrite the table and its indexes under an ACCESS EXCLUSIVE lock and breaks code expecting the old type.");
            }
        } else if (kw(t, j, "SET", "NOT")) {
            // PostgreSQL 12+ skips the scan when a valid CHECK (col IS NOT NULL) already proves it
            boolean proven = s.facts.provenNotNull(table, col);
            if (!isNew && !(proven && s.pgAtLeast(12))) {
                s.report(Rule.SET_NOT_NULL, st, "SET NOT NULL on " + table + "." + col
                        + " scans the whole table under an ACCESS EXCLUSIVE lock"
                        + (proven ? " (PostgreSQL " + s.pgVersion + " does not use the valid CHECK (" + col
                        + " IS NOT NULL); 12 and later do)." : "."));
            }
        } else if (kw(t, j, "DROP", "NOT")) {
            if (!isNew) {
                s.report(Rule.DROP_NOT_NULL, st, "DROP NOT NULL on " + table + "." + col + " lets NULL into a column code may rely on.");
            }
        } else if (kw(t, j, "SET") || kw(t, j, "DROP") || kw(t, j, "RESET") || kw(t, j, "ADD")
                || kw(t, j, "RESTART") || (j < b && t.get(j).type == Type.IDENT && kw(t, j, "OPTIONS"))) {
            // SET DEFAULT, DROP DEFAULT, statistics, storage, identity options: metadata only
        } else {
            s.unparsed(st, "ALTER COLUMN action not understood");
        }
    }

    void tableConstraint(Statement st, List<Token> t, int j, int b, String table, boolean isNew) {
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
                s.report(Rule.ADD_FOREIGN_KEY_VALIDATED, st, "Adding foreign key" + label + " on " + table
                        + " validates every row while locking both tables against writes.");
            }
        } else if (kw(t, j, "CHECK")) {
            List<String> columns = notNullColumns(t, j + 1, b);
            if (!columns.isEmpty()) {
                s.facts.notNullCheckAdded(table, name, columns, !notValid);
            }
            if (!notValid && !isNew) {
                s.report(Rule.ADD_CHECK_CONSTRAINT_VALIDATED, st, "Adding check constraint" + label + " on " + table
                        + " scans the whole table under an ACCESS EXCLUSIVE lock.");
            }
        } else if (kw(t, j, "UNIQUE")) {
            if (!usingIndex && !isNew) {
                s.report(Rule.ADD_UNIQUE_CONSTRAINT, st, "Adding unique constraint" + label + " on " + table
                        + " builds an index while blocking writes (and reads, with its ACCESS EXCLUSIVE lock).");
            }
        } else if (kw(t, j, "PRIMARY")) {
            s.tablesWithoutPk.remove(table);
            if (!usingIndex && !isNew) {
                s.report(Rule.ADD_PRIMARY_KEY, st, "Adding primary key" + label + " on " + table
                        + " builds an index (and may set NOT NULL) under an ACCESS EXCLUSIVE lock.");
            }
        } else if (kw(t, j, "EXCLUDE")) {
            if (!isNew) {
                s.report(Rule.ADD_EXCLUSION_CONSTRAINT, st, "Adding exclusion constraint" + label + " on " + table
                        + " builds an index and scans the table under an ACCESS EXCLUSIVE lock.");
            }
        } else {
            s.unparsed(st, "table constraint not understood");
            return;
        }
        if (notValid && name != null && s.inTransaction()) {
            s.notValidInTransaction.add(table + "." + name);
        }
    }

    /**
     * The columns a CHECK expression starting at {@code open} proves NOT NULL: each {@code col IS
     * NOT NULL} that is a top-level conjunct ({@code (a IS NOT NULL AND b IS NOT NULL AND b > 0)});
     * none when the expression has a top-level OR, which could hold with the column null.
     */
    static List<String> notNullColumns(List<Token> t, int open, int b) {
        if (open >= b || t.get(open).type != Type.LPAREN) {
            return List.of();
        }
        int close = closing(t, open, b);
        int from = open + 1;
        while (from < close - 2 && t.get(from).type == Type.LPAREN && closing(t, from, close) == close - 1) {
            from++;
            close--;
        }
        if (findTop(t, from, close, "OR") >= 0) {
            return List.of();
        }
        List<String> columns = new ArrayList<>();
        while (from < close) {
            int and = findTop(t, from, close, "AND");
            int to = and < 0 ? close : and;
            int x = from;
            int y = to;
            while (y - x >= 2 && t.get(x).type == Type.LPAREN && closing(t, x, y) == y - 1) {
                x++;
                y--;
            }
            if (y - x == 4 && t.get(x).isName() && t.get(x + 1).is("IS") && t.get(x + 2).is("NOT") && t.get(x + 3).is("NULL")) {
                columns.add(t.get(x).name());
            }
            if (and < 0) {
                break;
            }
            from = and + 1;
        }
        return columns;
    }

    void addColumnChecks(Statement st, ColumnDef cd, String table) {
        String col = table + "." + cd.name;
        if (cd.serial || cd.identity) {
            s.report(Rule.ADD_COLUMN_SERIAL, st, "Adding " + (cd.serial ? "serial" : "identity") + " column " + col
                    + " fills every existing row from a sequence, rewriting the table under an ACCESS EXCLUSIVE lock.");
        }
        if (cd.stored) {
            s.report(Rule.ADD_COLUMN_GENERATED_STORED, st, "Adding stored generated column " + col
                    + " computes it for every row, rewriting the table under an ACCESS EXCLUSIVE lock.");
        }
        if (cd.serial) {
            s.report(Rule.ADD_COLUMN_VOLATILE_DEFAULT, st, "Adding serial column " + col
                    + " implies DEFAULT nextval(), a volatile default that rewrites the whole table under an ACCESS EXCLUSIVE lock.");
        }
        if (cd.volatileDefault) {
            s.report(Rule.ADD_COLUMN_VOLATILE_DEFAULT, st, "Adding column " + col + " with volatile default "
                    + cd.volatileFunction + "() rewrites the whole table under an ACCESS EXCLUSIVE lock.");
        } else if (cd.hasDefault && !cd.defaultNull && !s.pgAtLeast(11)) {
            s.report(Rule.ADD_COLUMN_VOLATILE_DEFAULT, st, "Adding column " + col + " with a DEFAULT rewrites the whole"
                    + " table under an ACCESS EXCLUSIVE lock on PostgreSQL " + s.pgVersion + " (11 and later store a"
                    + " constant default without a rewrite).");
        }
        if (cd.notNull && !cd.hasDefault && !cd.identity && !cd.stored && !cd.serial) {
            s.report(Rule.ADD_COLUMN_NOT_NULL_WITHOUT_DEFAULT, st, "Adding NOT NULL column " + col
                    + " without a default fails on a table that has rows, and breaks old code that does not write it.");
            s.report(Rule.SET_NOT_NULL, st, "Adding NOT NULL column " + col + " without a default makes PostgreSQL check"
                    + " every existing row under an ACCESS EXCLUSIVE lock.");
        }
        if (cd.primaryKey) {
            s.report(Rule.ADD_PRIMARY_KEY, st, "Adding column " + col + " as primary key builds an index under an ACCESS EXCLUSIVE lock.");
            s.tablesWithoutPk.remove(table);
        }
        if (cd.unique) {
            s.report(Rule.ADD_UNIQUE_CONSTRAINT, st, "Adding column " + col + " with UNIQUE builds an index under an ACCESS EXCLUSIVE lock.");
        }
        if (cd.references) {
            s.report(Rule.ADD_FOREIGN_KEY_VALIDATED, st, "Adding column " + col
                    + " with REFERENCES adds a validated foreign key, locking both tables against writes.");
        }
        if (cd.check) {
            s.report(Rule.ADD_CHECK_CONSTRAINT_VALIDATED, st, "Adding column " + col + " with CHECK validates every row under an ACCESS EXCLUSIVE lock.");
        }
    }
}
