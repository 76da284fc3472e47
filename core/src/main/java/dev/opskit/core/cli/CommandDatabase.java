package dev.opskit.core.cli;

import dev.opskit.core.jdbc.DatabaseUrl;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;

/** What every command that reads a module's tables checks first, with messages that never show a password. */
public final class CommandDatabase {
    private CommandDatabase() {
    }

    /**
     * Fails unless {@code schema.table} exists, so a wrong {@code --schema} or database says so
     * instead of failing later with an SQL error.
     *
     * @param what the tables in the message, such as {@code "job-queue tables"}
     * @param hint the likely cause, in parentheses after the message
     * @param url the database URL as given; its password is masked in every message
     * @throws IllegalStateException "no WHAT in schema 'S' of URL (HINT)", or "could not connect to URL: ..."
     */
    public static void requireTable(DataSource dataSource, String schema, String table, String what, String hint, String url) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT to_regclass(quote_ident(?) || '.' || quote_ident(?)) IS NOT NULL")) {
            ps.setString(1, schema);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    throw new IllegalStateException("no " + what + " in schema '" + schema + "' of " + DatabaseUrl.redact(url)
                            + " (" + hint + ")");
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not connect to " + DatabaseUrl.redact(url) + ": "
                    + DatabaseUrl.redact(String.valueOf(e.getMessage()), url), e);
        }
    }
}
