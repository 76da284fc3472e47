package dev.opskit.migrationguard.internal;

import static dev.opskit.migrationguard.internal.Parse.*;

import dev.opskit.migrationguard.Rule;
import dev.opskit.migrationguard.internal.Token.Type;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Rules on DROP of tables, indexes, sequences, schemas, views, routines and types. */
final class DropRules {
    private static final Set<String> HARMLESS_DROP_KINDS = Set.of(
            "TRIGGER", "POLICY", "RULE", "EXTENSION", "ROLE", "USER", "GROUP", "CAST", "COLLATION", "CONVERSION",
            "EVENT", "FOREIGN", "SERVER", "LANGUAGE", "PROCEDURAL", "OPERATOR", "PUBLICATION", "SUBSCRIPTION",
            "STATISTICS", "TABLESPACE", "TEXT", "TRANSFORM", "ACCESS");
    private final FileState s;

    DropRules(FileState s) {
        this.s = s;
    }

    void drop(Statement st, List<Token> t, int i) {
        int n = t.size();
        if (i >= n || t.get(i).type != Type.IDENT) {
            s.unparsed(st, "DROP without an object kind");
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
                if (!s.createdTables.containsAll(names) || names.isEmpty()) {
                    s.report(Rule.DROP_TABLE, st, "Dropping table " + joined(names) + " deletes all its data.");
                    s.locking(st, false);
                }
                names.forEach(s.createdTables::remove);
            }
            case "INDEX" -> {
                if (concurrently) {
                    if (s.inTransaction()) {
                        s.report(Rule.CONCURRENTLY_IN_TRANSACTION, st, "DROP INDEX CONCURRENTLY cannot run inside a transaction block.");
                    }
                } else if (!s.createdIndexes.containsAll(names) || names.isEmpty()) {
                    s.report(Rule.DROP_INDEX_NON_CONCURRENTLY, st, "Dropping index " + joined(names)
                            + " without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on its table.");
                    s.locking(st, false);
                }
            }
            case "SEQUENCE" -> {
                if (!s.createdSequences.containsAll(names) || names.isEmpty()) {
                    s.report(Rule.DROP_SEQUENCE, st, "Dropping sequence " + joined(names)
                            + " loses its position and breaks defaults that call nextval() on it.");
                }
            }
            case "SCHEMA" -> {
                if (!s.createdSchemas.containsAll(names) || names.isEmpty()) {
                    s.report(Rule.DROP_SCHEMA, st, "Dropping schema " + joined(names) + " deletes everything in it.");
                }
            }
            case "DATABASE" -> s.report(Rule.DROP_DATABASE, st, "Dropping database " + joined(names) + " deletes all of it.");
            case "VIEW" -> s.report(Rule.DROP_VIEW, st, "Dropping view " + joined(names) + " breaks code that still queries it.");
            case "FUNCTION", "PROCEDURE", "ROUTINE", "AGGREGATE" ->
                    s.report(Rule.DROP_FUNCTION, st, "Dropping " + kind.toLowerCase(Locale.ROOT) + " " + joined(names)
                            + " breaks code, triggers and defaults that still call it.");
            case "TYPE", "DOMAIN" -> s.report(Rule.DROP_TYPE, st, "Dropping " + kind.toLowerCase(Locale.ROOT) + " "
                    + joined(names) + " breaks columns and code that use it.");
            case "OWNED" -> s.report(Rule.DROP_OWNED, st, "DROP OWNED drops every object the role owns, with their data.");
            default -> {
                if (!HARMLESS_DROP_KINDS.contains(kind)) {
                    s.unparsed(st, "DROP of unknown object kind " + kind);
                    return;
                }
            }
        }
        if (cascade) {
            s.report(Rule.DROP_CASCADE, st, "DROP ... CASCADE also drops every object that depends on " + joined(names) + ".");
        }
    }
}
