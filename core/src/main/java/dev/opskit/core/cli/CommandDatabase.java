package dev.opskit.core.cli;

import dev.opskit.core.jdbc.DatabaseUrl;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/** What every command that reads a module's tables checks first, with messages that never show a password. */
public final class CommandDatabase {
    private CommandDatabase() {
    }

    /**
     * The database URL a command uses: the value of {@code --url} in {@code args}, else
     * {@code DATABASE_URL} of {@code env}.
     *
     * @throws Args.UsageException "no database: set DATABASE_URL or pass --url" when neither is given or the URL is blank
     */
    public static String url(Args args, Map<String, String> env) {
        String url = args.has("--url") ? args.value("--url", "") : env.get("DATABASE_URL");
        if (url == null || url.isBlank()) {
            throw new Args.UsageException("no database: set DATABASE_URL or pass --url");
        }
        return url;
    }

    /**
     * Reports what stopped a command that reads a database on {@code err}, as {@code "error: "} and
     * the message with every password of {@code url} masked, and returns the exit code:
     * {@link Command#USAGE} for a {@link Args.UsageException} (followed by the line
     * {@code usageHint}) and for an {@link IllegalArgumentException}, {@link Command#FAILED} for
     * anything else.
     *
     * @param url the database URL as given; null before it was known
     * @param usageHint where the usage is, such as {@code "run 'opskit jobs --help' for the usage"}
     */
    public static int failure(RuntimeException e, @Nullable String url, String usageHint, PrintStream err) {
        String message = String.valueOf(e.getMessage());
        err.println("error: " + (url == null ? message : DatabaseUrl.redact(message, url)));
        if (e instanceof Args.UsageException) {
            err.println(usageHint);
            return Command.USAGE;
        }
        return e instanceof IllegalArgumentException ? Command.USAGE : Command.FAILED;
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
