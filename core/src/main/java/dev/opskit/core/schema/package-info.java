/**
 * Installs and upgrades the tables of opskit's PostgreSQL modules from versioned SQL files under an
 * advisory lock ({@code SchemaInstaller}, {@code SchemaModule}); a database newer than the code is
 * refused ({@code SchemaVersionException}).
 */
package dev.opskit.core.schema;
