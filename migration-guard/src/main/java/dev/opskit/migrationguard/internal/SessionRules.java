package dev.opskit.migrationguard.internal;

import static dev.opskit.migrationguard.internal.Parse.*;

import dev.opskit.migrationguard.Rule;
import dev.opskit.migrationguard.internal.Token.Type;
import java.util.List;

/** Rules on settings (lock_timeout, statement_timeout) and transaction control. */
final class SessionRules {
    private final FileState s;

    SessionRules(FileState s) {
        this.s = s;
    }

    void set(Statement st, List<Token> t, int i) {
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
            s.lockTimeout = on;
            s.lockTimeoutLocal = local;
        } else {
            s.statementTimeout = on;
            s.statementTimeoutLocal = local;
        }
    }

    /**
     * {@code SELECT set_config('lock_timeout', '5s', false)}: the function form of SET (with
     * {@code is_local} true, of SET LOCAL), common in migrations that compute the value.
     */
    void setConfigCalls(List<Token> t, int from) {
        int n = t.size();
        for (int k = from; k + 7 < n; k++) {
            if (!(t.get(k).type == Type.IDENT && t.get(k).name().equals("set_config") && t.get(k + 1).type == Type.LPAREN)) {
                continue;
            }
            Token param = t.get(k + 2);
            Token value = t.get(k + 4);
            Token local = t.get(k + 6);
            if (param.type != Type.STRING || t.get(k + 3).type != Type.COMMA || t.get(k + 5).type != Type.COMMA
                    || t.get(k + 7).type != Type.RPAREN || (value.type != Type.STRING && value.type != Type.NUMBER)) {
                continue; // computed arguments: cannot tell what is set
            }
            String name = param.stringValue() == null ? "" : param.stringValue().trim().toLowerCase(java.util.Locale.ROOT);
            boolean isLocal = local.is("TRUE") || (local.type == Type.STRING && "true".equalsIgnoreCase(local.stringValue()));
            boolean on = !isZero(value);
            if (name.equals("lock_timeout")) {
                s.lockTimeout = on;
                s.lockTimeoutLocal = isLocal;
            } else if (name.equals("statement_timeout")) {
                s.statementTimeout = on;
                s.statementTimeoutLocal = isLocal;
            }
        }
    }

    static boolean isZero(Token v) {
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

    void reset(List<Token> t, int i) {
        if (kw(t, i, "ALL")) {
            s.lockTimeout = false;
            s.statementTimeout = false;
        } else if (i < t.size() && t.get(i).isName()) {
            String p = t.get(i).name();
            if (p.equals("lock_timeout")) {
                s.lockTimeout = false;
            } else if (p.equals("statement_timeout")) {
                s.statementTimeout = false;
            }
        }
    }

    void begin(Statement st) {
        if (s.inTransaction()) {
            s.report(Rule.TRANSACTION_NESTING, st, s.explicitTransaction
                    ? "BEGIN inside a transaction that is already open; PostgreSQL ignores it and the inner COMMIT ends the outer transaction."
                    : "BEGIN inside the transaction the migration runner already opened.");
        }
        s.explicitTransaction = true;
    }

    void commit(Statement st, List<Token> t, int i) {
        if (kw(t, i, "TO") || kw(t, i, "PREPARED")) {
            return; // ROLLBACK TO SAVEPOINT, COMMIT PREPARED
        }
        // COMMIT/ROLLBACK AND CHAIN starts the next transaction at once: the script owns that one.
        boolean chain = containsSeq(t, i, t.size(), "AND", "CHAIN");
        if (s.explicitTransaction) {
            s.explicitTransaction = chain;
        } else if (s.runnerTransaction && !s.runnerTransactionEnded) {
            s.report(Rule.TRANSACTION_NESTING, st, upper(st.code.get(0))
                    + " ends the transaction the migration runner opened; the rest of the script runs outside it.");
            s.runnerTransactionEnded = true;
            s.explicitTransaction = chain;
        } else if (s.doDepth == 0) {
            s.report(Rule.TRANSACTION_NESTING, st, upper(st.code.get(0)) + " with no transaction open: PostgreSQL only"
                    + " warns, and the statements before it were not in the transaction the script seems to end.");
        }
        s.notValidInTransaction.clear();
        if (s.lockTimeoutLocal) {
            s.lockTimeout = false;
            s.lockTimeoutLocal = false;
        }
        if (s.statementTimeoutLocal) {
            s.statementTimeout = false;
            s.statementTimeoutLocal = false;
        }
    }
}
