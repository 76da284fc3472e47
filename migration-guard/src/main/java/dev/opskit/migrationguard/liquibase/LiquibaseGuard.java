package dev.opskit.migrationguard.liquibase;

import dev.opskit.migrationguard.Finding;
import dev.opskit.migrationguard.GuardConfig;
import dev.opskit.migrationguard.MigrationBlockedException;
import dev.opskit.migrationguard.MigrationGuard;
import dev.opskit.migrationguard.MigrationGuardException;
import dev.opskit.migrationguard.MigrationScript;
import dev.opskit.migrationguard.Report;
import dev.opskit.migrationguard.internal.GateCounts;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import liquibase.Contexts;
import liquibase.LabelExpression;
import liquibase.Liquibase;
import liquibase.change.AbstractSQLChange;
import liquibase.change.Change;
import liquibase.changelog.ChangeLogParameters;
import liquibase.changelog.ChangeSet;
import liquibase.changelog.DatabaseChangeLog;
import liquibase.database.OfflineConnection;
import liquibase.database.core.PostgresDatabase;
import liquibase.exception.LiquibaseException;
import liquibase.parser.ChangeLogParserFactory;
import liquibase.resource.Resource;
import liquibase.resource.ResourceAccessor;
import liquibase.sql.Sql;
import liquibase.sqlgenerator.SqlGeneratorFactory;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks Liquibase changesets with the same rules, approvals and report as SQL migrations.
 *
 * <p>A changeset's SQL is what PostgreSQL will run: for {@code <sql>}, {@code <sqlFile>} and
 * formatted SQL changelogs the text as written (so inline {@code -- opskit:approve} comments in it
 * count), for every other change the SQL Liquibase generates for PostgreSQL (offline, no
 * connection). Findings point at the changelog file, at the changeset's line, and their message
 * starts with {@code changeset <id> by <author>:}. The approvals file ({@link GuardConfig#approvalsFile()})
 * beside the master changelog applies, bound to the statement's fingerprint as for SQL files.
 *
 * <p>As a gate before {@code update}, the way the Flyway callback is:
 * <pre>{@code
 * LiquibaseGuard.update(liquibase, new Contexts(), new LabelExpression(), GuardConfig.ofDefaults());
 * }</pre>
 */
public final class LiquibaseGuard {
    private static final Logger log = LoggerFactory.getLogger(LiquibaseGuard.class);
    private static final Pattern FORMATTED_HEADER = Pattern.compile("(?i)^\\s*--\\s*liquibase\\s+formatted\\s+sql");

    private LiquibaseGuard() {
    }

    /** Whether {@code firstLine} opens a Liquibase formatted SQL changelog. */
    public static boolean isFormattedSql(String text) {
        return FORMATTED_HEADER.matcher(text).lookingAt();
    }

    /**
     * Checks every changeset of {@code changelogPath} (includes followed) found through {@code accessor}.
     *
     * @throws MigrationGuardException if the changelog cannot be read or parsed (Liquibase's message)
     */
    public static Report check(String changelogPath, ResourceAccessor accessor, GuardConfig config) {
        Objects.requireNonNull(changelogPath, "changelogPath must not be null");
        Objects.requireNonNull(accessor, "accessor must not be null");
        Objects.requireNonNull(config, "config must not be null");
        DatabaseChangeLog changelog;
        try {
            changelog = ChangeLogParserFactory.getInstance().getParser(changelogPath, accessor)
                    .parse(changelogPath, new ChangeLogParameters(), accessor);
        } catch (LiquibaseException | RuntimeException e) {
            throw new MigrationGuardException("cannot parse Liquibase changelog " + changelogPath + ": " + e.getMessage(), e);
        }
        return check(changelog.getChangeSets(), changelogPath, accessor, config);
    }

    /**
     * Checks the changesets {@code liquibase} has not run yet, and throws when one blocks: the gate
     * to call right before {@code update}.
     *
     * @throws MigrationBlockedException when an unrun changeset has a blocking finding
     */
    public static Report checkUnrun(Liquibase liquibase, Contexts contexts, LabelExpression labels, GuardConfig config) {
        Objects.requireNonNull(liquibase, "liquibase must not be null");
        List<ChangeSet> unrun;
        try {
            unrun = liquibase.listUnrunChangeSets(contexts, labels);
        } catch (LiquibaseException e) {
            throw new MigrationGuardException("cannot list the changesets Liquibase has not run: " + e.getMessage(), e);
        }
        Report report = check(unrun, liquibase.getChangeLogFile(), liquibase.getResourceAccessor(), config);
        GateCounts.record("liquibase", report);
        log.info("migration-guard - checked {} unrun changeset(s): {} finding(s), {} blocking",
                unrun.size(), report.findings().size(), report.blocking().size());
        if (report.hasBlocking()) {
            throw new MigrationBlockedException(report);
        }
        return report;
    }

    /** {@link #checkUnrun}, then {@code liquibase.update(contexts, labels)} when nothing blocks. */
    public static void update(Liquibase liquibase, Contexts contexts, LabelExpression labels, GuardConfig config)
            throws LiquibaseException {
        checkUnrun(liquibase, contexts, labels, config);
        liquibase.update(contexts, labels);
    }

    /** Where one changeset's SQL sits in the report: file, first and last line, label. */
    private record Placed(String file, int from, int to, String label) {
    }

    static Report check(List<ChangeSet> changeSets, String changelogPath, ResourceAccessor accessor, GuardConfig config) {
        PostgresDatabase db = new PostgresDatabase();
        db.setConnection(new OfflineConnection("offline:postgresql", accessor));
        Map<String, String> texts = new HashMap<>();
        List<MigrationScript> scripts = new ArrayList<>();
        List<Placed> placed = new ArrayList<>();
        for (ChangeSet cs : changeSets) {
            String file = cs.getFilePath();
            String text = texts.computeIfAbsent(file, f -> read(accessor, f));
            int line = line(text, cs);
            StringBuilder sql = new StringBuilder();
            for (Change change : cs.getChanges()) {
                if (change instanceof AbstractSQLChange raw && raw.getSql() != null) {
                    sql.append(raw.getSql().strip());
                    sql.append(raw.getSql().strip().endsWith(";") ? "\n" : ";\n");
                } else {
                    try {
                        for (Sql s : SqlGeneratorFactory.getInstance().generateSql(change, db)) {
                            sql.append(s.toSql()).append(s.getEndDelimiter() == null ? ";" : s.getEndDelimiter()).append('\n');
                        }
                    } catch (RuntimeException e) {
                        throw new MigrationGuardException("cannot generate the SQL of changeset " + cs.getId() + " by "
                                + cs.getAuthor() + " in " + file + " (" + change.getSerializedObjectName() + "): " + e.getMessage(), e);
                    }
                }
            }
            // Pad with newlines so the statements keep the changeset's lines: the SQL of a formatted
            // changelog starts on the line after "--changeset", generated SQL on the changeset's line.
            boolean formatted = isFormattedSql(text);
            int pad = formatted ? line : line - 1;
            String body = "\n".repeat(Math.max(0, pad)) + sql;
            scripts.add(new MigrationScript(file, body));
            placed.add(new Placed(file, line, line + (int) sql.chars().filter(c -> c == '\n').count() + 1,
                    "changeset " + cs.getId() + " by " + cs.getAuthor()));
        }
        MigrationScript approvals = approvals(changelogPath, accessor, config);
        Report report = MigrationGuard.create(config).checkScripts(scripts, approvals);
        return report.withFindings(f -> label(f, placed));
    }

    private static Finding label(Finding f, List<Placed> placed) {
        for (Placed p : placed) {
            if (p.file().equals(f.file()) && f.line() >= p.from() && f.line() <= p.to()) {
                return new Finding(f.file(), f.line(), f.column(), f.rule(), f.severity(), p.label() + ": " + f.message(),
                        f.approved(), f.approvers(), f.statement(), f.fingerprint());
            }
        }
        return f;
    }

    /** The changeset's line: its {@code --changeset author:id} line, or the first line naming its id. */
    static int line(String text, ChangeSet cs) {
        String[] lines = text.split("\r?\n", -1);
        Pattern formatted = Pattern.compile("^\\s*--\\s*changeset\\s+" + Pattern.quote(cs.getAuthor()) + ":"
                + Pattern.quote(cs.getId()) + "(\\s|$)");
        Pattern named = Pattern.compile("(?i)\\bid\\s*[=:]\\s*[\"']?" + Pattern.quote(cs.getId()) + "[\"']?(\\s|,|/|>|$)");
        for (int i = 0; i < lines.length; i++) {
            if (formatted.matcher(lines[i]).find()) {
                return i + 1;
            }
        }
        for (int i = 0; i < lines.length; i++) {
            Matcher m = named.matcher(lines[i]);
            if (m.find()) {
                return i + 1;
            }
        }
        return 1;
    }

    private static String read(ResourceAccessor accessor, String path) {
        try {
            Resource r = accessor.get(path);
            if (!r.exists()) {
                return "";
            }
            try (InputStream in = r.openInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException | RuntimeException e) {
            throw new MigrationGuardException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    private static @Nullable MigrationScript approvals(@Nullable String changelogPath, ResourceAccessor accessor, GuardConfig config) {
        if (changelogPath == null) {
            return null;
        }
        int slash = changelogPath.lastIndexOf('/');
        String path = (slash < 0 ? "" : changelogPath.substring(0, slash + 1)) + config.approvalsFile();
        String text = read(accessor, path);
        return text.isEmpty() ? null : new MigrationScript(path, text);
    }
}
