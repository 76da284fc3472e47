package dev.opskit.migrationguard.flyway;

import dev.opskit.migrationguard.GuardConfig;
import dev.opskit.migrationguard.MigrationBlockedException;
import dev.opskit.migrationguard.MigrationGuard;
import dev.opskit.migrationguard.MigrationGuardException;
import dev.opskit.migrationguard.MigrationScript;
import dev.opskit.migrationguard.Report;
import dev.opskit.migrationguard.internal.GateCounts;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.Location;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;
import org.flywaydb.core.api.configuration.Configuration;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Flyway callback that checks the pending SQL migrations before {@code migrate} and aborts with
 * the findings when one blocks. Register it with {@code Flyway.configure().callbacks(new
 * MigrationGuardCallback())}. The only class of this module that touches Flyway (an optional
 * dependency): the rest works without Flyway on the classpath.
 *
 * <p>It reads each pending migration's script from the configured locations ({@code classpath:}
 * and {@code filesystem:}), plus the approvals file ({@link GuardConfig#approvalsFile()}) at each
 * location's root. Flyway runs each migration in a transaction, so unless the given configuration
 * says otherwise this callback assumes it ({@code assume-in-transaction}). Runs on the thread that
 * calls {@code migrate()}.
 */
public final class MigrationGuardCallback implements Callback {
    private static final Logger log = LoggerFactory.getLogger(MigrationGuardCallback.class);

    private final GuardConfig config;

    /** With the default configuration (plus assume-in-transaction, as Flyway wraps each migration). */
    public MigrationGuardCallback() {
        this(GuardConfig.custom().assumeInTransaction(true).build());
    }

    public MigrationGuardCallback(GuardConfig config) {
        this.config = Objects.requireNonNull(config, "config must not be null");
    }

    @Override
    public boolean supports(Event event, Context context) {
        return event == Event.BEFORE_MIGRATE;
    }

    @Override
    public boolean canHandleInTransaction(Event event, Context context) {
        return true;
    }

    /**
     * @throws MigrationBlockedException when a pending migration has a blocking finding
     * @throws MigrationGuardException   when a pending script cannot be found or read
     */
    @Override
    public void handle(Event event, Context context) {
        if (event != Event.BEFORE_MIGRATE) {
            return;
        }
        Configuration conf = context.getConfiguration();
        MigrationInfo[] pending = Flyway.configure(conf.getClassLoader()).configuration(conf)
                .callbacks(new Callback[0]).load().info().pending();
        List<MigrationScript> scripts = new ArrayList<>();
        for (MigrationInfo mi : pending) {
            String script = mi.getScript();
            if (script == null || !script.toLowerCase(java.util.Locale.ROOT).endsWith(".sql")) {
                continue; // Java migrations cannot be checked
            }
            // The text as written, placeholders unexpanded: the same text CI checked and the approvals
            // file's fingerprints were made from, so a deploy that passed CI is not blocked here.
            scripts.add(new MigrationScript(script, read(conf, script)));
        }
        if (scripts.isEmpty()) {
            log.info("migration-guard - no pending SQL migrations to check");
            return;
        }
        MigrationScript approvals = approvals(conf);
        Report report = MigrationGuard.create(config).checkScripts(scripts, approvals);
        GateCounts.record("flyway", report);
        log.info("migration-guard - checked {} pending migration(s): {} finding(s), {} blocking",
                scripts.size(), report.findings().size(), report.blocking().size());
        if (report.hasBlocking()) {
            throw new MigrationBlockedException(report);
        }
    }

    private String read(Configuration conf, String script) {
        for (Location location : conf.getLocations()) {
            String text = readAt(conf, location, script);
            if (text != null) {
                return text;
            }
        }
        throw new MigrationGuardException("migration-guard cannot find pending script " + script + " in "
                + java.util.Arrays.toString(conf.getLocations()));
    }

    private @Nullable MigrationScript approvals(Configuration conf) {
        StringBuilder all = new StringBuilder();
        String where = null;
        for (Location location : conf.getLocations()) {
            String text = readAt(conf, location, config.approvalsFile());
            if (text != null) {
                all.append(text).append('\n');
                where = where == null ? location.getDescriptor() + "/" + config.approvalsFile() : where;
            }
        }
        return where == null ? null : new MigrationScript(where, all.toString());
    }

    private static @Nullable String readAt(Configuration conf, Location location, String relative) {
        String root = location.getRootPath();
        try {
            if (location.isClassPath()) {
                String res = root.isEmpty() ? relative : root + "/" + relative;
                URL url = conf.getClassLoader().getResource(res);
                if (url == null) {
                    return null;
                }
                try (InputStream in = url.openStream()) {
                    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
            if (location.isFileSystem()) {
                Path p = Path.of(root, relative);
                return Files.isRegularFile(p) ? Files.readString(p, StandardCharsets.UTF_8) : null;
            }
            return null;
        } catch (IOException | RuntimeException e) {
            throw new MigrationGuardException("migration-guard cannot read " + relative + " from " + location + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String getCallbackName() {
        return "opskit-migration-guard";
    }
}
