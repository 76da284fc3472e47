/**
 * Small JDBC helpers the PostgreSQL modules share: {@code DatabaseUrl} (postgres:// URLs to JDBC,
 * passwords redacted in messages) and {@code Jdbc} (quiet rollback and close, instants in and out).
 */
package dev.opskit.core.jdbc;
