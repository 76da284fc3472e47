package dev.opskit.examples;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.opskit.core.jdbc.DatabaseUrl;
import io.micrometer.core.instrument.MeterRegistry;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.File;
import java.io.IOException;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The example's database: the one in {@code DATABASE_URL} when it is set, otherwise an embedded
 * PostgreSQL in a temporary directory on port {@code OPSKIT_EXAMPLE_PG_PORT} (default 54329),
 * removed again on exit.
 *
 * <p><b>Why the embedded server is stopped by us, not by its own shutdown hook.</b> zonky's
 * {@code EmbeddedPostgres} registers a JVM shutdown hook that stops PostgreSQL the moment the JVM
 * begins to exit. JVM shutdown hooks run concurrently, so on SIGTERM it would stop the database
 * while the graceful shutdown still drains running jobs (whose outcomes must be written to that
 * database). {@link #open} therefore disarms that hook (it marks the instance closed, so the hook
 * returns at once) and {@link #close()} — registered in the shutdown's {@code CLOSE} phase, after
 * the drain — stops the server. If zonky changes its internals, we log a warning and fall back to
 * its hook (the drain may then meet a stopped database; jobs are rescued after their lease).
 */
final class ExampleDatabase implements AutoCloseable {
    static final int DEFAULT_EMBEDDED_PORT = 54329;
    private static final Logger log = LoggerFactory.getLogger(ExampleDatabase.class);

    private final @Nullable EmbeddedPostgres embedded;
    private final @Nullable Path dataDirectory;
    private final String jdbcUrl;
    private final HikariDataSource pool;
    private final @Nullable AtomicBoolean embeddedClosedFlag;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ExampleDatabase(@Nullable EmbeddedPostgres embedded, @Nullable Path dataDirectory, String jdbcUrl,
                            @Nullable MeterRegistry meters) {
        this.embedded = embedded;
        this.dataDirectory = dataDirectory;
        this.jdbcUrl = jdbcUrl;
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setPoolName("example");
        config.setMaximumPoolSize(12);
        config.setConnectionTimeout(3_000);
        // Start even when the database is briefly unreachable; readiness reports it.
        config.setInitializationFailTimeout(-1);
        if (meters != null) {
            config.setMetricRegistry(meters); // hikaricp_connections_* on /metrics
        }
        this.pool = new HikariDataSource(config);
        this.embeddedClosedFlag = embedded == null ? null : disarmShutdownHook(embedded);
    }

    static ExampleDatabase open(String databaseUrl, int embeddedPort, MeterRegistry meters) throws IOException {
        if (databaseUrl != null && !databaseUrl.isBlank()) {
            String jdbc = DatabaseUrl.toJdbc(databaseUrl);
            log.info("using DATABASE_URL {}", DatabaseUrl.redact(jdbc));
            return new ExampleDatabase(null, null, jdbc, meters);
        }
        requireFreePort(embeddedPort);
        Path dir = Files.createTempDirectory("opskit-example-pg-");
        log.info("DATABASE_URL is not set: starting an embedded PostgreSQL on port {} in {}", embeddedPort, dir);
        EmbeddedPostgres pg;
        try {
            pg = EmbeddedPostgres.builder()
                    .setDataDirectory(dir.toFile())
                    .setCleanDataDirectory(true)
                    .setPort(embeddedPort)
                    .setPGStartupWait(java.time.Duration.ofSeconds(60))
                    .start();
        } catch (IOException e) {
            deleteRecursively(dir);
            throw new IOException("could not start the embedded PostgreSQL on port " + embeddedPort
                    + " (is another example still running? set OPSKIT_EXAMPLE_PG_PORT to use another port): " + e.getMessage(), e);
        }
        try {
            requireOwnServer(pg, dir);
        } catch (IOException e) {
            closeQuietly(pg);
            deleteRecursively(dir);
            throw e;
        }
        return new ExampleDatabase(pg, dir, pg.getJdbcUrl("postgres", "postgres"), meters);
    }

    /**
     * Refuses a port something already listens on. Without this check a second example (or any
     * other PostgreSQL) on the same port would make the embedded server fail to start while its
     * start-up probe connects to the other server, and the example would then migrate and use a
     * database that is not its own.
     */
    private static void requireFreePort(int port) throws IOException {
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        } catch (IOException e) {
            throw new IOException("port " + port + " for the embedded PostgreSQL is already in use (another example, "
                    + "or another PostgreSQL?): set OPSKIT_EXAMPLE_PG_PORT to a free port, or DATABASE_URL to use that database");
        }
    }

    /** Makes sure the server answering on the port is the one just started in {@code dir}. */
    private static void requireOwnServer(EmbeddedPostgres pg, Path dir) throws IOException {
        String url = pg.getJdbcUrl("postgres", "postgres");
        String served;
        try (Connection c = DriverManager.getConnection(url);
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SHOW data_directory")) {
            rs.next();
            served = rs.getString(1);
        } catch (SQLException e) {
            throw new IOException("the embedded PostgreSQL on port " + pg.getPort() + " does not answer: " + e.getMessage(), e);
        }
        Path servedPath = Path.of(served);
        if (!Files.exists(servedPath) || !Files.isSameFile(servedPath, dir)) {
            throw new IOException("port " + pg.getPort() + " is served by another PostgreSQL (data directory " + served
                    + "), not by the embedded one started in " + dir + ": set OPSKIT_EXAMPLE_PG_PORT to a free port");
        }
    }

    private static void closeQuietly(EmbeddedPostgres pg) {
        try {
            pg.close();
        } catch (IOException | RuntimeException e) {
            log.debug("closing the embedded PostgreSQL after a failed start: {}", e.toString());
        }
    }

    HikariDataSource pool() {
        return pool;
    }

    String jdbcUrl() {
        return jdbcUrl;
    }

    boolean embedded() {
        return embedded != null;
    }

    /** The database's port when it is the embedded one, else -1. */
    int embeddedPort() {
        return embedded != null ? embedded.getPort() : -1;
    }

    /**
     * Closes the pool, then stops the embedded server (if any) and removes its data directory.
     * Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        pool.close();
        if (embedded != null) {
            if (embeddedClosedFlag != null) {
                embeddedClosedFlag.set(false); // re-arm: close() below really stops the server
            }
            try {
                embedded.close();
            } catch (IOException e) {
                log.warn("could not stop the embedded PostgreSQL cleanly", e);
            }
            if (dataDirectory != null) {
                deleteRecursively(dataDirectory);
            }
            log.info("embedded PostgreSQL on port {} stopped, {} removed", embedded.getPort(), dataDirectory);
        }
    }

    /**
     * Makes zonky's own shutdown hook a no-op by setting the instance's private {@code closed}
     * flag (its {@code close()} starts with {@code if (closed.getAndSet(true)) return;}).
     *
     * @return the flag, to re-arm it in {@link #close()}; null when that was not possible
     */
    private static @Nullable AtomicBoolean disarmShutdownHook(EmbeddedPostgres pg) {
        try {
            Field f = EmbeddedPostgres.class.getDeclaredField("closed");
            f.setAccessible(true);
            AtomicBoolean closed = (AtomicBoolean) f.get(pg);
            closed.set(true);
            return closed;
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.warn("could not take over stopping the embedded PostgreSQL from its own shutdown hook ({}); on SIGTERM it may stop before the jobs are drained", e.toString());
            return null;
        }
    }

    private static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        } catch (IOException e) {
            log.warn("could not remove {}", dir, e);
        }
    }
}
