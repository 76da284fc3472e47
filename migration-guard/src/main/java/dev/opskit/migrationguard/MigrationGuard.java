package dev.opskit.migrationguard;

import dev.opskit.migrationguard.internal.Engine;
import dev.opskit.migrationguard.internal.MigrationFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Checks PostgreSQL migrations for destructive, locking and breaking statements. Use the static
 * {@link #check(Path...)} with defaults, or {@link #create(GuardConfig)} for a configured instance.
 * Instances are immutable and thread-safe; a check is pure CPU and file reading (no database).
 *
 * <pre>{@code
 * Report report = MigrationGuard.check(Path.of("src/main/resources/db/migration"));
 * report.throwIfBlocking();   // at start-up, before Flyway migrates
 * }</pre>
 */
public final class MigrationGuard {
    private final GuardConfig config;

    private MigrationGuard(GuardConfig config) {
        this.config = config;
    }

    /** A guard with the given configuration. */
    public static MigrationGuard create(GuardConfig config) {
        return new MigrationGuard(Objects.requireNonNull(config, "config must not be null"));
    }

    /**
     * Checks files and directories (recursively, Flyway order) with the default configuration.
     *
     * @throws MigrationGuardException if a path does not exist or cannot be read
     */
    public static Report check(Path... paths) {
        return create(GuardConfig.ofDefaults()).checkPaths(Arrays.asList(paths));
    }

    /** Same as {@link #check(Path...)}. */
    public static Report check(Collection<Path> paths) {
        return create(GuardConfig.ofDefaults()).checkPaths(paths);
    }

    /** The configuration in use. */
    public GuardConfig config() {
        return config;
    }

    /**
     * Checks files and directories. A directory is walked recursively for {@code *.sql}; the
     * approvals file ({@link GuardConfig#approvalsFile()}) beside the migrations is applied. Unused
     * approvals in an approvals file are reported only when its whole directory was checked.
     *
     * @throws MigrationGuardException if a path does not exist or cannot be read
     */
    public Report checkPaths(Collection<Path> paths) {
        Objects.requireNonNull(paths, "paths must not be null");
        if (paths.isEmpty()) {
            throw new IllegalArgumentException("paths must not be empty");
        }
        List<Path> list = new ArrayList<>(paths);
        list.forEach(p -> Objects.requireNonNull(p, "path must not be null"));
        MigrationFiles.Plan plan = MigrationFiles.plan(list, config);
        Engine.Result r = Engine.run(plan.sources(), plan.approvals(), config);
        return new Report(r.findings(), r.files(), r.statements());
    }

    /**
     * Checks scripts held in memory, in the order given. {@code approvals}, if not null, is the
     * text of an approvals file that applies to all of them.
     */
    public Report checkScripts(List<MigrationScript> scripts, @Nullable MigrationScript approvals) {
        Objects.requireNonNull(scripts, "scripts must not be null");
        List<Engine.Source> sources = new ArrayList<>();
        for (MigrationScript s : scripts) {
            Objects.requireNonNull(s, "script must not be null");
            sources.add(new Engine.Source(s.location(), s.sql(), ""));
        }
        List<Engine.ApprovalsSource> ap = approvals == null ? List.of()
                : List.of(new Engine.ApprovalsSource(approvals.location(), approvals.sql(), "", true));
        Engine.Result r = Engine.run(sources, ap, config);
        return new Report(r.findings(), r.files(), r.statements());
    }

    /** Checks one script held in memory. */
    public Report checkSql(String location, String sql) {
        return checkScripts(List.of(new MigrationScript(location, sql)), null);
    }
}
