/** {@code opskit migrations}: the migration check as a subcommand of the opskit command line. */
package dev.opskit.migrationguard.cli;
