/**
 * Installs and upgrades the tables of opskit's PostgreSQL modules from versioned SQL files under an
 * advisory lock ({@code SchemaInstaller}, {@code SchemaModule}); a database newer than the code is
 * refused ({@code SchemaVersionException}).
 */
@NullMarked
package dev.opskit.core.schema;

import org.jspecify.annotations.NullMarked;
