package dev.opskit.migrationguard.internal;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What earlier statements of this run, in this file or an earlier migration file, proved about
 * existing tables: which columns a valid {@code CHECK (col IS NOT NULL)} already covers, so a
 * later {@code SET NOT NULL} on PostgreSQL 12 and later reads the constraint instead of scanning
 * the table. Files are analysed in migration order, so one instance serves a whole check.
 */
final class SchemaFacts {
    /** "table.constraint" of a CHECK (col IS NOT NULL) added NOT VALID, to the column it covers. */
    private final Map<String, String> notValidNotNullChecks = new HashMap<>();
    /** "table.constraint" of a valid CHECK (col IS NOT NULL), to the column it covers. */
    private final Map<String, String> validNotNullChecks = new HashMap<>();
    /** "table.column" covered by at least one valid CHECK (col IS NOT NULL). */
    private final Set<String> provenNotNull = new HashSet<>();

    void notNullCheckAdded(String table, String constraint, String column, boolean valid) {
        String key = table + "." + (constraint == null ? "" : constraint);
        if (valid) {
            if (constraint != null) {
                validNotNullChecks.put(key, column);
            }
            provenNotNull.add(table + "." + column);
        } else if (constraint != null) {
            notValidNotNullChecks.put(key, column);
        }
    }

    void constraintValidated(String table, String constraint) {
        String column = notValidNotNullChecks.remove(table + "." + constraint);
        if (column != null) {
            notNullCheckAdded(table, constraint, column, true);
        }
    }

    void constraintDropped(String table, String constraint) {
        String key = table + "." + constraint;
        notValidNotNullChecks.remove(key);
        String column = validNotNullChecks.remove(key);
        if (column != null && !validNotNullChecks.containsValue(column)) {
            provenNotNull.remove(table + "." + column);
        }
    }

    boolean provenNotNull(String table, String column) {
        return provenNotNull.contains(table + "." + column);
    }
}
