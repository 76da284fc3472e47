package dev.opskit.migrationguard;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Every rule the guard knows, with its stable id (used in configuration and approvals), category,
 * default severity and the safe alternative. The ids never change.
 */
public enum Rule {
    // ---- destructive: data loss, blocking, two approvers ----
    DROP_TABLE("drop-table", Category.DESTRUCTIVE,
            "Instead: stop reading and writing the table in a release first, rename it (or revoke access) for a grace period, take a backup, then drop it in a later migration with two approvals."),
    DROP_COLUMN("drop-column", Category.DESTRUCTIVE,
            "Instead: release code that no longer reads or writes the column (ignore it in the ORM), wait until no old instance runs, back up the data if needed, then drop it in a later migration with two approvals."),
    DROP_SCHEMA("drop-schema", Category.DESTRUCTIVE,
            "Instead: move or back up the objects you still need, confirm nothing uses the schema, then drop it with two approvals (never with CASCADE blindly)."),
    DROP_DATABASE("drop-database", Category.DESTRUCTIVE,
            "Instead: drop databases by hand after a verified backup, never from an application migration."),
    TRUNCATE("truncate", Category.DESTRUCTIVE,
            "Instead: delete the rows you mean to remove with a WHERE clause in small batches, or archive the table first; TRUNCATE also takes an ACCESS EXCLUSIVE lock."),
    DELETE_WITHOUT_WHERE("delete-without-where", Category.DESTRUCTIVE,
            "Instead: add a WHERE clause that names the rows to remove, and delete in batches (e.g. WHERE id IN (SELECT id ... LIMIT 10000)) outside the schema migration."),
    UPDATE_WITHOUT_WHERE("update-without-where", Category.DESTRUCTIVE,
            "Instead: add a WHERE clause, and backfill in batches of a few thousand rows in separate transactions so locks stay short."),
    DROP_SEQUENCE("drop-sequence", Category.DESTRUCTIVE,
            "Instead: make sure no column default or code still calls nextval() on it, record its current value, then drop it in a later migration with two approvals."),
    DROP_CASCADE("drop-cascade", Category.DESTRUCTIVE,
            "Instead: drop the dependent objects explicitly, one by one, so the migration says what it removes; CASCADE silently removes views, constraints and columns that depend on the object."),
    DROP_OWNED("drop-owned", Category.DESTRUCTIVE,
            "Instead: list the role's objects, REASSIGN OWNED to another role, and drop only what you mean to drop."),

    // ---- locking or breaking: blocking, one approver ----
    RENAME_TABLE("rename-table", Category.LOCKING,
            "Instead: create a view with the new name (or the old one) so old and new code both work during the deploy, switch the code, then rename and drop the view in a later migration."),
    RENAME_COLUMN("rename-column", Category.LOCKING,
            "Instead: add the new column, write to both, backfill in batches, switch reads to the new column, then drop the old column in a later release."),
    RENAME_SCHEMA("rename-schema", Category.LOCKING,
            "Instead: create the new schema, move objects (or add views) while code uses both names, then drop the old one later."),
    ALTER_COLUMN_TYPE("alter-column-type", Category.LOCKING,
            "Instead: add a new column with the new type, write to both, backfill in batches, switch reads, then drop the old column. (varchar(n) to text or a larger varchar does not rewrite; approve it if that is the case.)"),
    SET_NOT_NULL("set-not-null", Category.LOCKING,
            "Instead: ADD CONSTRAINT c CHECK (col IS NOT NULL) NOT VALID; backfill; VALIDATE CONSTRAINT c (in a separate transaction); then SET NOT NULL (PostgreSQL 12+ uses the valid check and skips the scan) and drop the check."),
    ADD_COLUMN_VOLATILE_DEFAULT("add-column-volatile-default", Category.LOCKING,
            "Instead: add the column without a default (or with a constant default), set the default afterwards with ALTER COLUMN SET DEFAULT, and backfill existing rows in batches."),
    ADD_COLUMN_SERIAL("add-column-serial", Category.LOCKING,
            "Instead: add a nullable bigint column, attach a sequence or identity in a separate step, and backfill existing rows in batches; a serial or identity column rewrites the whole table under an ACCESS EXCLUSIVE lock."),
    ADD_COLUMN_GENERATED_STORED("add-column-generated-stored", Category.LOCKING,
            "Instead: add a plain nullable column, fill it with a trigger for new rows and a batched backfill for old rows; a stored generated column rewrites the table under an ACCESS EXCLUSIVE lock."),
    ADD_COLUMN_NOT_NULL_WITHOUT_DEFAULT("add-column-not-null-without-default", Category.LOCKING,
            "Instead: add the column with a constant DEFAULT (metadata only since PostgreSQL 11), or add it nullable, backfill, and set NOT NULL with the check-constraint recipe. Without a default it fails on any non-empty table."),
    CREATE_INDEX_NON_CONCURRENTLY("create-index-non-concurrently", Category.LOCKING,
            "Instead: CREATE INDEX CONCURRENTLY, in its own migration outside a transaction; if it fails, drop the INVALID index and retry."),
    DROP_INDEX_NON_CONCURRENTLY("drop-index-non-concurrently", Category.LOCKING,
            "Instead: DROP INDEX CONCURRENTLY, in its own migration outside a transaction."),
    CONCURRENTLY_IN_TRANSACTION("concurrently-in-transaction", Category.LOCKING,
            "Instead: put the concurrent statement in its own migration that runs outside a transaction (Flyway: a script with only non-transactional statements; no BEGIN/COMMIT around it)."),
    ADD_FOREIGN_KEY_VALIDATED("add-foreign-key-validated", Category.LOCKING,
            "Instead: ADD CONSTRAINT ... FOREIGN KEY ... NOT VALID (quick), then VALIDATE CONSTRAINT in a separate transaction; validation takes only a SHARE UPDATE EXCLUSIVE lock."),
    ADD_CHECK_CONSTRAINT_VALIDATED("add-check-constraint-validated", Category.LOCKING,
            "Instead: ADD CONSTRAINT ... CHECK (...) NOT VALID, then VALIDATE CONSTRAINT in a separate transaction."),
    ADD_UNIQUE_CONSTRAINT("add-unique-constraint", Category.LOCKING,
            "Instead: CREATE UNIQUE INDEX CONCURRENTLY idx ON t (cols); then ALTER TABLE t ADD CONSTRAINT c UNIQUE USING INDEX idx."),
    ADD_PRIMARY_KEY("add-primary-key", Category.LOCKING,
            "Instead: CREATE UNIQUE INDEX CONCURRENTLY idx ON t (cols); make the columns NOT NULL with the check-constraint recipe; then ALTER TABLE t ADD CONSTRAINT pk PRIMARY KEY USING INDEX idx."),
    ADD_EXCLUSION_CONSTRAINT("add-exclusion-constraint", Category.LOCKING,
            "Instead: add exclusion constraints only on new or small tables, in a maintenance window; they cannot be added NOT VALID and scan the table under an ACCESS EXCLUSIVE lock."),
    VALIDATE_IN_SAME_TRANSACTION("validate-in-same-transaction", Category.LOCKING,
            "Instead: commit the NOT VALID constraint first and VALIDATE CONSTRAINT in a separate migration or transaction; in the same transaction the ACCESS EXCLUSIVE lock from ADD CONSTRAINT is held during the whole scan."),
    VACUUM_FULL("vacuum-full", Category.LOCKING,
            "Instead: use plain VACUUM, or pg_repack / pg_squeeze to reclaim space online; VACUUM FULL rewrites the table under an ACCESS EXCLUSIVE lock."),
    CLUSTER("cluster", Category.LOCKING,
            "Instead: use pg_repack --order-by to reorder online; CLUSTER rewrites the table under an ACCESS EXCLUSIVE lock."),
    REINDEX_NON_CONCURRENTLY("reindex-non-concurrently", Category.LOCKING,
            "Instead: REINDEX ... CONCURRENTLY (PostgreSQL 12+), outside a transaction."),
    DETACH_PARTITION_NON_CONCURRENTLY("detach-partition-non-concurrently", Category.LOCKING,
            "Instead: ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY (PostgreSQL 14+), outside a transaction."),
    REFRESH_MATERIALIZED_VIEW_NON_CONCURRENTLY("refresh-materialized-view-non-concurrently", Category.LOCKING,
            "Instead: give the view a unique index and use REFRESH MATERIALIZED VIEW CONCURRENTLY so readers are not blocked."),
    TRANSACTION_NESTING("transaction-nesting", Category.LOCKING,
            "Instead: let the migration runner own the transaction; remove BEGIN/COMMIT from the script, or split the script if parts must run outside a transaction."),
    REQUIRE_LOCK_TIMEOUT("require-lock-timeout", Category.LOCKING,
            "Instead: start the migration with SET lock_timeout = '5s' (or SET LOCAL inside a transaction) so a lock queue behind a long query cannot stall all traffic; retry on timeout."),
    ALTER_ENUM_VALUE("alter-enum-value", Category.LOCKING,
            "Instead: deploy code that understands the new value before adding it; never rename or reuse a value old code still writes; a value added in a transaction cannot be used until it commits."),
    ALTER_TABLE_SET_LOGGED("alter-table-set-logged", Category.LOCKING,
            "Instead: create a new table with the desired persistence, copy in batches and swap; SET LOGGED/UNLOGGED rewrites the table under an ACCESS EXCLUSIVE lock."),
    SET_TABLESPACE("set-tablespace", Category.LOCKING,
            "Instead: move tables with pg_repack --tablespace online; SET TABLESPACE copies the whole table under an ACCESS EXCLUSIVE lock."),
    LOCK_TABLE("lock-table", Category.LOCKING,
            "Instead: rely on the statement's own lock with a lock_timeout; an explicit LOCK holds the lock until the transaction ends."),
    DROP_VIEW("drop-view", Category.LOCKING,
            "Instead: release code that no longer queries the view first, then drop it in a later migration; consider CREATE OR REPLACE VIEW for changes."),
    DROP_FUNCTION("drop-function", Category.LOCKING,
            "Instead: release code (and triggers, defaults, views) that no longer calls the routine first, then drop it in a later migration."),
    DROP_TYPE("drop-type", Category.LOCKING,
            "Instead: make sure no column, function or code uses the type, then drop it in a later migration."),
    UNPARSED_STATEMENT("unparsed-statement", Category.LOCKING,
            "Instead: review the statement by hand and approve it, or rewrite it in a form the guard understands; a statement the guard cannot read is never passed silently."),
    SYNTAX_ERROR("syntax-error", Category.LOCKING,
            "Instead: close the string, comment, quoted identifier or dollar quote; everything after the opening mark was read as part of it."),
    ROLLBACK_SCRIPT_MISSING("rollback-script-missing", Category.LOCKING,
            "Instead: add an undo script beside the migration (U<version>__<name>.sql or <name>.down.sql) that restores the previous schema, or approve the migration as irreversible."),
    // ---- found by running the migration (opskit migrations trace), not by reading it ----
    TRACE_ACCESS_EXCLUSIVE("trace-access-exclusive", Category.LOCKING,
            "Instead: keep ACCESS EXCLUSIVE statements on busy tables short and alone in their transaction, behind a SET lock_timeout; use the non-blocking form where one exists (CONCURRENTLY, NOT VALID then VALIDATE)."),
    TRACE_TABLE_REWRITE("trace-table-rewrite", Category.LOCKING,
            "Instead: avoid the rewrite (a constant default, a binary-compatible type, a NOT VALID constraint), or copy into a new table in batches and swap; a rewrite holds ACCESS EXCLUSIVE for as long as the copy takes."),

    // ---- advice: warnings ----
    PREFER_BIGINT("prefer-bigint", Category.ADVICE,
            "Instead: use bigint (or bigint GENERATED ALWAYS AS IDENTITY) for keys and counters; widening a 32-bit column later rewrites the table."),
    PREFER_TEXT("prefer-text", Category.ADVICE,
            "Instead: use text with a CHECK (char_length(col) <= n) constraint, which can be changed without a rewrite (add the new check NOT VALID and validate)."),
    PREFER_TIMESTAMPTZ("prefer-timestamptz", Category.ADVICE,
            "Instead: use timestamptz (timestamp with time zone); timestamp without time zone loses the offset and misbehaves around DST and time-zone changes."),
    BAN_CHAR("ban-char", Category.ADVICE,
            "Instead: use text (or varchar); char(n) pads with spaces and changing its length rewrites the table."),
    PREFER_IDENTITY("prefer-identity", Category.ADVICE,
            "Instead: use bigint GENERATED BY DEFAULT AS IDENTITY (or ALWAYS); serial hides an extra sequence with its own ownership and permission quirks."),
    DROP_NOT_NULL("drop-not-null", Category.ADVICE,
            "Instead: make sure every reader copes with NULL before you release this; old code that assumes a value will break."),
    REQUIRE_STATEMENT_TIMEOUT("require-statement-timeout", Category.ADVICE,
            "Instead: SET statement_timeout (for example '15min') at the top of the migration so a runaway statement cannot hold its locks for hours."),
    IDENTIFIER_TOO_LONG("identifier-too-long", Category.ADVICE,
            "Instead: keep names within 63 bytes; PostgreSQL silently truncates longer ones, so two long names can collide and code using the full name will not find the object."),
    CREATE_TABLE_WITHOUT_PK("create-table-without-pk", Category.ADVICE,
            "Instead: give every table a primary key (e.g. id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY); logical replication and most tools need one."),
    DROP_CONSTRAINT("drop-constraint", Category.ADVICE,
            "Instead: make sure the application validates what the constraint guaranteed before dropping it; to change a constraint, add the new one NOT VALID, validate, then drop the old one."),
    DISABLE_TRIGGER("disable-trigger", Category.ADVICE,
            "Instead: avoid disabling triggers in migrations; DISABLE TRIGGER ALL also disables foreign-key checks and leaves the data unchecked."),
    BACKFILL_IN_MIGRATION("backfill-in-migration", Category.ADVICE,
            "Instead: run data backfills outside the schema migration, in batches of a few thousand rows per transaction, so row locks and WAL stay bounded."),

    // ---- approvals themselves ----
    APPROVAL_INSUFFICIENT("approval-insufficient", Category.APPROVAL,
            "Instead: list enough distinct approvers (destructive rules need two people, others one) who are on the approvers list, with a reason."),
    APPROVAL_UNKNOWN_RULE("approval-unknown-rule", Category.APPROVAL,
            "Instead: use a rule id from the rule table (java -jar ... rules)."),
    APPROVAL_UNUSED("approval-unused", Category.APPROVAL,
            "Instead: remove the approval, or put it directly above the statement it is meant for; a file approval whose statement changed no longer matches its fingerprint.");

    /** What a rule is about; decides the default severity and how many approvers it needs. */
    public enum Category {
        /** Loses data: blocking, two distinct approvers. */
        DESTRUCTIVE(Severity.BLOCKING, 2),
        /** Takes heavy locks or breaks running code: blocking, one approver. */
        LOCKING(Severity.BLOCKING, 1),
        /** Good practice: warning, one approver silences it. */
        ADVICE(Severity.WARNING, 1),
        /** Problems with approvals themselves; cannot be approved. */
        APPROVAL(Severity.BLOCKING, 0);

        private final Severity defaultSeverity;
        private final int approvalsNeeded;

        Category(Severity defaultSeverity, int approvalsNeeded) {
            this.defaultSeverity = defaultSeverity;
            this.approvalsNeeded = approvalsNeeded;
        }
    }

    private static final Map<String, Rule> BY_ID = new LinkedHashMap<>();

    static {
        for (Rule r : values()) {
            BY_ID.put(r.id, r);
        }
    }

    private final String id;
    private final Category category;
    private final String advice;

    Rule(String id, Category category, String advice) {
        this.id = id;
        this.category = category;
        this.advice = advice;
    }

    /** The stable id, e.g. {@code drop-column}. */
    public String id() {
        return id;
    }

    public Category category() {
        return category;
    }

    /** Severity unless configured otherwise. {@code approval-unused} defaults to warning. */
    public Severity defaultSeverity() {
        return this == APPROVAL_UNUSED ? Severity.WARNING : category.defaultSeverity;
    }

    /** Distinct approvers needed: 2 for destructive rules, 1 otherwise, 0 (not approvable) for approval findings. */
    public int approvalsNeeded() {
        return category.approvalsNeeded;
    }

    /** The safe alternative, starting with "Instead:". */
    public String advice() {
        return advice;
    }

    /** The rule with this id, if any. */
    public static Optional<Rule> byId(String id) {
        return Optional.ofNullable(BY_ID.get(id));
    }
}
