package dev.opskit.examples.spring;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.opskit.core.jdbc.DatabaseUrl;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The database: {@code DATABASE_URL} when it is set, otherwise an embedded PostgreSQL in a temporary
 * directory on {@code OPSKIT_EXAMPLE_PG_PORT} (default {@value #DEFAULT_EMBEDDED_PORT}), stopped and
 * removed when the context closes.
 *
 * <p>As in the {@code examples} service, zonky's own JVM shutdown hook is disarmed: shutdown hooks
 * run concurrently, so on SIGTERM it would stop PostgreSQL while Spring's hook is still draining
 * the workers. Here the server is a bean the {@code DataSource} depends on, so Spring stops it
 * last: after the workers drained (lifecycle stop) and after the pool closed (bean destruction).
 */
@Configuration(proxyBeanMethods = false)
class ExampleDatabase {
    static final int DEFAULT_EMBEDDED_PORT = 54330;
    private static final Logger log = LoggerFactory.getLogger(ExampleDatabase.class);

    /** The embedded server, or a placeholder holding nothing when {@code DATABASE_URL} is set. */
    @Bean(destroyMethod = "close")
    EmbeddedServer exampleEmbeddedPostgres(Environment env) throws IOException {
        String url = env.getProperty("DATABASE_URL");
        if (url != null && !url.isBlank()) {
            return new EmbeddedServer(null, null);
        }
        int port = env.getProperty("OPSKIT_EXAMPLE_PG_PORT", Integer.class, DEFAULT_EMBEDDED_PORT);
        requireFreePort(port);
        Path dir = Files.createTempDirectory("opskit-example-spring-pg-");
        log.info("DATABASE_URL is not set: starting an embedded PostgreSQL on port {} in {}", port, dir);
        EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(dir.toFile()).setCleanDataDirectory(true)
                .setPort(port).setPGStartupWait(Duration.ofSeconds(60)).start();
        return new EmbeddedServer(pg, dir);
    }

    @Bean(destroyMethod = "close")
    HikariDataSource dataSource(EmbeddedServer server, Environment env) {
        String url = env.getProperty("DATABASE_URL");
        HikariConfig config = new HikariConfig();
        config.setPoolName("example-spring");
        config.setMaximumPoolSize(12);
        config.setConnectionTimeout(3_000);
        EmbeddedPostgres pg = server.embedded;
        if (pg != null) {
            config.setJdbcUrl(pg.getJdbcUrl("postgres", "postgres"));
        } else {
            String jdbc = DatabaseUrl.toJdbc(url == null ? "" : url);
            log.info("using DATABASE_URL {}", DatabaseUrl.redact(jdbc));
            config.setJdbcUrl(jdbc);
        }
        return new HikariDataSource(config);
    }

    private static void requireFreePort(int port) throws IOException {
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        } catch (IOException e) {
            throw new IOException("port " + port + " for the embedded PostgreSQL is already in use: set OPSKIT_EXAMPLE_PG_PORT "
                    + "to a free port, or DATABASE_URL to use that database", e);
        }
    }

    /** The embedded PostgreSQL and its directory; {@link #close()} stops it and removes the directory. */
    static final class EmbeddedServer implements AutoCloseable {
        final @Nullable EmbeddedPostgres embedded;
        private final @Nullable Path directory;
        private final @Nullable AtomicBoolean zonkyClosedFlag;

        EmbeddedServer(@Nullable EmbeddedPostgres embedded, @Nullable Path directory) {
            this.embedded = embedded;
            this.directory = directory;
            this.zonkyClosedFlag = embedded == null ? null : disarmShutdownHook(embedded);
        }

        @Override
        public void close() {
            EmbeddedPostgres pg = embedded;
            if (pg == null) {
                return;
            }
            if (zonkyClosedFlag != null) {
                zonkyClosedFlag.set(false); // re-arm, so close() below really stops the server
            }
            try {
                pg.close();
            } catch (IOException e) {
                throw new UncheckedIOException("could not stop the embedded PostgreSQL", e);
            }
            if (directory != null && Files.exists(directory)) {
                try (Stream<Path> files = Files.walk(directory)) {
                    files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                } catch (IOException e) {
                    log.warn("could not remove {}: {}", directory, e.toString());
                }
            }
            log.info("embedded PostgreSQL on port {} stopped, {} removed", pg.getPort(), directory);
        }

        /** zonky's hook returns at once when the instance's private {@code closed} flag is set. */
        private static @Nullable AtomicBoolean disarmShutdownHook(EmbeddedPostgres pg) {
            try {
                Field f = EmbeddedPostgres.class.getDeclaredField("closed");
                f.setAccessible(true);
                AtomicBoolean closed = (AtomicBoolean) f.get(pg);
                closed.set(true);
                return closed;
            } catch (ReflectiveOperationException | RuntimeException e) {
                log.warn("could not take over stopping the embedded PostgreSQL from its own shutdown hook ({}); "
                        + "on SIGTERM it may stop before the jobs are drained", e.toString());
                return null;
            }
        }
    }
}
