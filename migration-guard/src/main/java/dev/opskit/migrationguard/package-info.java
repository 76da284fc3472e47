/**
 * Checks PostgreSQL migrations for destructive, locking and breaking statements, with approvals.
 *
 * <p>Entry points: {@link dev.opskit.migrationguard.MigrationGuard} (plain API),
 * {@link dev.opskit.migrationguard.MigrationAssertions} (tests), {@link dev.opskit.migrationguard.cli.MigrationGuardCli} ({@code opskit migrations})
 * (command line), {@code dev.opskit.migrationguard.flyway.MigrationGuardCallback} (Flyway). Results
 * are a {@link dev.opskit.migrationguard.Report} of {@link dev.opskit.migrationguard.Finding}s, each
 * naming a {@link dev.opskit.migrationguard.Rule}. Arguments are never null unless a method says so.
 */
@NullMarked
package dev.opskit.migrationguard;

import org.jspecify.annotations.NullMarked;
