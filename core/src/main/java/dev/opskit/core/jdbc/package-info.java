/**
 * Small JDBC helpers the PostgreSQL modules share: {@code DatabaseUrl} (postgres:// URLs to JDBC,
 * passwords redacted in messages) and {@code Jdbc} (quiet rollback and close, instants in and out).
 */
@NullMarked
package dev.opskit.core.jdbc;

import org.jspecify.annotations.NullMarked;
