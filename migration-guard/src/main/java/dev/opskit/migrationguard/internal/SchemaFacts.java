package dev.opskit.migrationguard.internal;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What earlier statements of this run, in this file or an earlier migration file, proved about
 * existing tables: which columns a valid {@code CHECK (col IS NOT NULL)} already covers, so a
 * later {@code SET NOT NULL} on PostgreSQL 12 and later reads the constraint instead of scanning
 * the table. Files are analysed in migration order, so one instance serves a whole check.
 */
final class SchemaFacts {
    /** "table.constraint" of a CHECK proving columns NOT NULL, added NOT VALID, to those columns. */
    private final Map<String, List<String>> notValidNotNullChecks = new HashMap<>();
    /** "table.constraint" of a valid CHECK proving columns NOT NULL, to those columns. */
    private final Map<String, List<String>> validNotNullChecks = new HashMap<>();

    /**
     * A CHECK that proves {@code columns} NOT NULL was added to {@code table}. Without a name it
     * gets PostgreSQL's generated one ({@code <table>_<first column>_check}), so a later VALIDATE
     * or DROP of that name still finds it.
     */
    void notNullCheckAdded(String table, @Nullable String constraint, List<String> columns, boolean valid) {
        String name = constraint != null ? constraint : relation(table) + "_" + columns.get(0) + "_check";
        (valid ? validNotNullChecks : notValidNotNullChecks).put(table + "." + name, List.copyOf(columns));
    }

    void constraintValidated(String table, String constraint) {
        List<String> columns = notValidNotNullChecks.remove(table + "." + constraint);
        if (columns != null) {
            validNotNullChecks.put(table + "." + constraint, columns);
        }
    }

    void constraintDropped(String table, String constraint) {
        notValidNotNullChecks.remove(table + "." + constraint);
        validNotNullChecks.remove(table + "." + constraint);
    }

    /** Whether a valid CHECK still in place on {@code table} proves {@code column} NOT NULL. */
    boolean provenNotNull(String table, String column) {
        String prefix = table + ".";
        for (Map.Entry<String, List<String>> e : validNotNullChecks.entrySet()) {
            if (e.getKey().startsWith(prefix) && e.getKey().indexOf('.', prefix.length()) < 0
                    && e.getValue().contains(column)) {
                return true;
            }
        }
        return false;
    }

    private static String relation(String table) {
        return table.substring(table.lastIndexOf('.') + 1);
    }
}
