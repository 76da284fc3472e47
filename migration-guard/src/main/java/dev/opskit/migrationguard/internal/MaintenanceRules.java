package dev.opskit.migrationguard.internal;

import static dev.opskit.migrationguard.internal.Parse.*;

import dev.opskit.migrationguard.Rule;
import dev.opskit.migrationguard.internal.Token.Type;
import java.util.List;

/** Rules on VACUUM, CLUSTER, REINDEX and REFRESH MATERIALIZED VIEW. */
final class MaintenanceRules {
    private final FileState s;

    MaintenanceRules(FileState s) {
        this.s = s;
    }

    void vacuum(Statement st, List<Token> t, int i) {
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
            s.report(Rule.VACUUM_FULL, st, "VACUUM FULL rewrites the table under an ACCESS EXCLUSIVE lock.");
            s.locking(st, false);
        }
        if (s.inTransaction()) {
            s.report(Rule.CONCURRENTLY_IN_TRANSACTION, st, "VACUUM cannot run inside a transaction block.");
        }
    }

    void cluster(Statement st, List<Token> t, int i) {
        String[] out = new String[1];
        if (i < t.size() && t.get(i).type == Type.LPAREN) {
            i = closing(t, i, t.size()) + 1;
        }
        if (kw(t, i, "VERBOSE")) {
            i++;
        }
        if (qname(t, i, out) > 0 && s.createdTables.contains(out[0])) {
            return;
        }
        s.report(Rule.CLUSTER, st, "CLUSTER rewrites the table under an ACCESS EXCLUSIVE lock.");
        s.locking(st, false);
    }

    void reindex(Statement st, List<Token> t, int i) {
        int n = t.size();
        boolean concurrently = false;
        if (i < n && t.get(i).type == Type.LPAREN) {
            int close = closing(t, i, n);
            concurrently = Boolean.TRUE.equals(option(t, i, "CONCURRENTLY")); // (CONCURRENTLY false) blocks
            i = close + 1;
        }
        if (i >= n) {
            s.unparsed(st, "REINDEX without a target");
            return;
        }
        String kind = upper(t.get(i));
        i++;
        if (kw(t, i, "CONCURRENTLY")) {
            concurrently = true;
            i++;
        }
        String[] out = new String[1];
        boolean newTable = kind.equals("TABLE") && qname(t, i, out) > 0 && s.createdTables.contains(out[0]);
        boolean newIndex = kind.equals("INDEX") && qname(t, i, out) > 0 && s.createdIndexes.contains(out[0]);
        if (concurrently) {
            if (s.inTransaction()) {
                s.report(Rule.CONCURRENTLY_IN_TRANSACTION, st, "REINDEX CONCURRENTLY cannot run inside a transaction block.");
            }
        } else if (!newTable && !newIndex) {
            s.report(Rule.REINDEX_NON_CONCURRENTLY, st, "REINDEX " + kind + " without CONCURRENTLY blocks writes (and reads that use the index).");
            s.locking(st, false);
        }
    }

    void refresh(Statement st, List<Token> t, int i) {
        if (!kw(t, i, "MATERIALIZED", "VIEW")) {
            s.unparsed(st, "REFRESH of something other than a materialized view");
            return;
        }
        if (!kw(t, i + 2, "CONCURRENTLY")) {
            s.report(Rule.REFRESH_MATERIALIZED_VIEW_NON_CONCURRENTLY, st,
                    "REFRESH MATERIALIZED VIEW without CONCURRENTLY blocks every reader of the view until it finishes.");
            s.locking(st, false);
        }
    }
}
