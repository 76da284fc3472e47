/**
 * Speed of the migration guard: statements per second for a realistic migration mix, and the end-to-end time of `opskit migrations check` over many files. Not published.
 */
package dev.opskit.bench.migrationguard;
