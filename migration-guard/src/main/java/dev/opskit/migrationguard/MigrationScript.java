package dev.opskit.migrationguard;

import java.util.Objects;

/**
 * A migration script held in memory, for {@link MigrationGuard#checkScripts}.
 *
 * @param location a name shown in findings (for example {@code db/migration/V3__drop_legacy.sql})
 * @param sql      the script's text
 */
public record MigrationScript(String location, String sql) {
    public MigrationScript {
        Objects.requireNonNull(location, "location must not be null");
        Objects.requireNonNull(sql, "sql must not be null");
    }
}
