package dev.opskit.migrationguard.internal;

import static dev.opskit.migrationguard.internal.Parse.*;

import dev.opskit.migrationguard.Rule;
import java.util.List;

/** Rules on statements that change rows: TRUNCATE, DELETE and UPDATE. */
final class DataRules {
    private final FileState s;

    DataRules(FileState s) {
        this.s = s;
    }

    void truncate(Statement st, List<Token> t, int i) {
        if (kw(t, i, "TABLE")) {
            i++;
        }
        List<String> names = nameList(t, i);
        if (names.isEmpty() || !s.createdTables.containsAll(names)) {
            s.report(Rule.TRUNCATE, st, "TRUNCATE " + joined(names) + " deletes every row.");
            s.locking(st, false);
        }
    }

    void delete(Statement st, List<Token> t, int i) {
        if (!kw(t, i, "FROM")) {
            s.unparsed(st, "DELETE without FROM");
            return;
        }
        List<String> names = nameList(t, i + 1);
        String table = names.isEmpty() ? "?" : names.get(0);
        if (s.createdTables.contains(table)) {
            return;
        }
        if (findTop(t, i, t.size(), "WHERE") < 0) {
            s.report(Rule.DELETE_WITHOUT_WHERE, st, "DELETE FROM " + table + " without WHERE deletes every row.");
        } else {
            s.report(Rule.BACKFILL_IN_MIGRATION, st, "DELETE on " + table + " changes data inside the schema migration.");
        }
    }

    void update(Statement st, List<Token> t, int i) {
        List<String> names = nameList(t, i);
        String table = names.isEmpty() ? "?" : names.get(0);
        if (s.createdTables.contains(table)) {
            return;
        }
        if (findTop(t, i, t.size(), "WHERE") < 0) {
            s.report(Rule.UPDATE_WITHOUT_WHERE, st, "UPDATE " + table + " without WHERE rewrites every row in one transaction.");
        } else {
            s.report(Rule.BACKFILL_IN_MIGRATION, st, "UPDATE on " + table + " backfills data inside the schema migration.");
        }
    }
}
