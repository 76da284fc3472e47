/** {@code opskit migrations}: the migration check as a subcommand of the opskit command line. */
@NullMarked
package dev.opskit.migrationguard.cli;

import org.jspecify.annotations.NullMarked;
