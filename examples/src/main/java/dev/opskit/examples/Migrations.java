package dev.opskit.examples;

import dev.opskit.migrationguard.GuardConfig;
import dev.opskit.migrationguard.MigrationGuard;
import dev.opskit.migrationguard.OutputFormat;
import dev.opskit.migrationguard.Report;
import dev.opskit.migrationguard.flyway.MigrationGuardCallback;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.jspecify.annotations.Nullable;

/**
 * The example's own migrations: {@code classpath:db/migration}, plus the directory named by
 * {@code EXAMPLE_EXTRA_MIGRATIONS} when set. They are checked by migration-guard before the
 * database is touched, and applied by Flyway with the guard's callback registered (which checks
 * the pending ones again, right before they run).
 */
final class Migrations {
    static final String CLASSPATH_LOCATION = "db/migration";

    /** Flyway wraps each migration in a transaction, so the guard may assume it. */
    static final GuardConfig GUARD_CONFIG = GuardConfig.custom().assumeInTransaction(true).build();

    private final Path classpathDirectory;
    private final @Nullable Path extraDirectory;

    private Migrations(Path classpathDirectory, @Nullable Path extraDirectory) {
        this.classpathDirectory = classpathDirectory;
        this.extraDirectory = extraDirectory;
    }

    /**
     * @param extraDirectory the value of {@code EXAMPLE_EXTRA_MIGRATIONS}, or null/blank for none
     * @throws IllegalArgumentException when the extra directory does not exist, naming it
     */
    static Migrations locate(String extraDirectory) throws IOException {
        @Nullable Path extra = null;
        if (extraDirectory != null && !extraDirectory.isBlank()) {
            extra = Path.of(extraDirectory).toAbsolutePath().normalize();
            if (!Files.isDirectory(extra)) {
                throw new IllegalArgumentException("EXAMPLE_EXTRA_MIGRATIONS must name a directory of migrations, but "
                        + extra + " is not a directory");
            }
        }
        return new Migrations(classpathDirectory(), extra);
    }

    /** Where the migrations are, for messages. */
    List<String> describe() {
        List<String> out = new ArrayList<>();
        out.add("classpath:" + CLASSPATH_LOCATION);
        if (extraDirectory != null) {
            out.add(extraDirectory.toString());
        }
        return out;
    }

    /** Checks every migration file with migration-guard (no database involved). */
    Report check() {
        List<Path> paths = new ArrayList<>();
        paths.add(classpathDirectory);
        if (extraDirectory != null) {
            paths.add(extraDirectory);
        }
        return MigrationGuard.create(GUARD_CONFIG).checkPaths(paths);
    }

    static String format(Report report) {
        return report.format(OutputFormat.TEXT);
    }

    /**
     * Applies the pending migrations with Flyway; the guard's callback refuses them (throwing
     * {@code MigrationBlockedException}) if a pending one blocks.
     */
    MigrateResult migrate(DataSource dataSource) {
        List<String> locations = new ArrayList<>();
        locations.add("classpath:" + CLASSPATH_LOCATION);
        if (extraDirectory != null) {
            locations.add("filesystem:" + extraDirectory);
        }
        return Flyway.configure(Migrations.class.getClassLoader())
                .dataSource(dataSource)
                .locations(locations.toArray(String[]::new))
                .callbacks(new MigrationGuardCallback(GUARD_CONFIG))
                .load()
                .migrate();
    }

    /** The classpath migrations directory as a path: a directory under exec:java, or a path inside the jar. */
    private static Path classpathDirectory() throws IOException {
        URL url = Migrations.class.getClassLoader().getResource(CLASSPATH_LOCATION);
        if (url == null) {
            throw new IllegalStateException("the example's migrations (classpath " + CLASSPATH_LOCATION + ") are missing");
        }
        try {
            URI uri = url.toURI();
            if ("jar".equals(uri.getScheme())) {
                try {
                    FileSystems.newFileSystem(uri, Map.of());
                } catch (FileSystemAlreadyExistsException ignored) {
                    // opened before: Path.of finds it
                }
            }
            return Path.of(uri);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot read the example's migrations at " + url, e);
        }
    }
}
