package dev.opskit.examples;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.opskit.core.jdbc.DatabaseUrl;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The example's database: the one in {@code DATABASE_URL} when it is set, otherwise an embedded
 * PostgreSQL in a temporary directory on port {@code OPSKIT_EXAMPLE_PG_PORT} (default 54329),
 * removed again on exit.
 */
final class ExampleDatabase implements AutoCloseable {
    static final int DEFAULT_EMBEDDED_PORT = 54329;
    private static final Logger log = LoggerFactory.getLogger(ExampleDatabase.class);

    private final EmbeddedPostgres embedded;
    private final Path dataDirectory;
    private final String jdbcUrl;
    private final HikariDataSource pool;

    private ExampleDatabase(EmbeddedPostgres embedded, Path dataDirectory, String jdbcUrl) {
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
        this.pool = new HikariDataSource(config);
    }

    static ExampleDatabase open(String databaseUrl, int embeddedPort) throws IOException {
        if (databaseUrl != null && !databaseUrl.isBlank()) {
            String jdbc = DatabaseUrl.toJdbc(databaseUrl);
            log.info("using DATABASE_URL {}", DatabaseUrl.redact(jdbc));
            return new ExampleDatabase(null, null, jdbc);
        }
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
        return new ExampleDatabase(pg, dir, pg.getJdbcUrl("postgres", "postgres"));
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

    @Override
    public void close() {
        pool.close();
        if (embedded != null) {
            try {
                embedded.close();
            } catch (IOException e) {
                log.warn("could not stop the embedded PostgreSQL cleanly", e);
            }
            deleteRecursively(dataDirectory);
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
