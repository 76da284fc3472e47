/**
 * migration-guard for Liquibase (an optional dependency): checks the SQL of changesets (formatted
 * SQL as written, XML/YAML/JSON changes as Liquibase generates them for PostgreSQL) and blocks
 * {@code update} when a finding blocks.
 */
@NullMarked
package dev.opskit.migrationguard.liquibase;

import org.jspecify.annotations.NullMarked;
