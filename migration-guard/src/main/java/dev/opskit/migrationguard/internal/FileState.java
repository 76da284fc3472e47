package dev.opskit.migrationguard.internal;

import dev.opskit.migrationguard.Rule;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the rules know about one migration file while it is read: the objects it created (changes
 * to those need no care), the transaction it is in, whether lock_timeout/statement_timeout were
 * set, and the findings so far. Not thread-safe; one instance per file.
 */
final class FileState {
    final String file;
    /** Facts proven by earlier statements of the run (this file and earlier files). */
    final SchemaFacts facts;
    /** Major version of the target PostgreSQL; 0 when not configured (a current one). */
    final int pgVersion;
    /** The runner wraps this file in a transaction: assumed, unless every statement is non-transactional. */
    boolean runnerTransaction;
    /** A COMMIT or ROLLBACK of the script ended the runner's transaction: what follows runs outside it. */
    boolean runnerTransactionEnded;
    final List<RawFinding> findings = new ArrayList<>();
    final Set<String> createdTables = new HashSet<>();
    final Set<String> createdIndexes = new HashSet<>();
    final Set<String> createdSequences = new HashSet<>();
    final Set<String> createdSchemas = new HashSet<>();
    final Map<String, Statement> tablesWithoutPk = new LinkedHashMap<>();
    final Set<String> notValidInTransaction = new HashSet<>();
    boolean explicitTransaction;
    int doDepth;
    boolean lockTimeout;
    boolean lockTimeoutLocal;
    boolean statementTimeout;
    boolean statementTimeoutLocal;
    boolean lockTimeoutReported;
    boolean statementTimeoutReported;

    FileState(String file, SchemaFacts facts, int pgVersion) {
        this.file = file;
        this.facts = facts;
        this.pgVersion = pgVersion;
    }

    /** Whether the target PostgreSQL is at least {@code major} (an unknown version, 0, counts as current). */
    boolean pgAtLeast(int major) {
        return pgVersion == 0 || pgVersion >= major;
    }

    void report(Rule rule, Statement st, String what) {
        if (st.reported == null) {
            st.reported = java.util.EnumSet.noneOf(Rule.class);
        }
        if (st.reported.add(rule)) {
            findings.add(new RawFinding(rule, file, st.line(), st.column(), what + " " + rule.advice(), st));
        }
    }

    void unparsed(Statement st, String why) {
        report(Rule.UNPARSED_STATEMENT, st, "Statement could not be checked: " + why + ".");
    }

    boolean inTransaction() {
        return explicitTransaction || (runnerTransaction && !runnerTransactionEnded) || doDepth > 0;
    }


    /** A statement that locks an existing table: wants lock_timeout and statement_timeout set first. */
    void locking(Statement st, boolean onNewObject) {
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
}
