package dev.opskit.core.testing;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A database of one test class on the shared {@link TestPostgres} server. Closing it drops the
 * database.
 */
public final class TestDatabase implements AutoCloseable {
    private final TestPostgres server;
    private final String name;
    private final PGSimpleDataSource dataSource;

    TestDatabase(TestPostgres server, String name) {
        this.server = server;
        this.name = name;
        this.dataSource = server.dataSource(name);
    }

    /** The database's name. */
    public String name() {
        return name;
    }

    /** A non-pooled data source: every {@code getConnection()} opens a new connection. */
    public DataSource dataSource() {
        return dataSource;
    }

    /** A JDBC URL with credentials, for child processes and pools. */
    public String jdbcUrl() {
        return server.jdbcUrl(name);
    }

    /** The server this database lives on, for {@link TestPostgres#stop()} and {@link TestPostgres#start()}. */
    public TestPostgres server() {
        return server;
    }

    /** Runs one or more SQL statements, for test setup. */
    public void execute(String sql) {
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("test SQL failed: " + e.getMessage() + "\n" + sql, e);
        }
    }

    @Override
    public void close() {
        server.dropDatabase(name);
    }
}
