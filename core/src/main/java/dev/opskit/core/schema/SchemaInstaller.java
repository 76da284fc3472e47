package dev.opskit.core.schema;

import dev.opskit.core.OpsKitException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installs and upgrades the tables of opskit's PostgreSQL-backed modules.
 *
 * <p>Each {@link SchemaModule}'s scripts are applied in version order, each version once, and
 * recorded in {@code <schema>.opskit_schema_version}. The whole run is one transaction under a
 * transaction-scoped advisory lock keyed on the schema, so two JVMs that start at the same moment
 * do not both apply a script: the second waits, then finds nothing to do. Running it again is
 * harmless. When the database already holds a newer version of a module than the library knows,
 * it refuses with a {@link SchemaVersionException} and changes nothing.
 *
 * <pre>{@code
 * SchemaInstaller.forSchema(dataSource, "opskit").install(PostgresDeadLetterStore.SCHEMA, PostgresJobQueue.SCHEMA);
 * }</pre>
 */
public final class SchemaInstaller {
    /** The schema used when none is given. */
    public static final String DEFAULT_SCHEMA = "opskit";

    private static final Logger log = LoggerFactory.getLogger(SchemaInstaller.class);
    private static final Pattern SCHEMA_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    /**
     * PostgreSQL 16's reserved keywords and those that cannot name a schema without quotes
     * ({@code pg_get_keywords()} categories R and T). Modules put the schema name into SQL
     * unquoted, so these are refused up front instead of failing later as syntax errors.
     */
    private static final Set<String> RESERVED = Set.of(
            "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "authorization",
            "binary", "both", "case", "cast", "check", "collate", "collation", "column", "concurrently",
            "constraint", "create", "cross", "current_catalog", "current_date", "current_role",
            "current_schema", "current_time", "current_timestamp", "current_user", "default", "deferrable",
            "desc", "distinct", "do", "else", "end", "except", "false", "fetch", "for", "foreign", "freeze",
            "from", "full", "grant", "group", "having", "ilike", "in", "initially", "inner", "intersect",
            "into", "is", "isnull", "join", "lateral", "leading", "left", "like", "limit", "localtime",
            "localtimestamp", "natural", "not", "notnull", "null", "offset", "on", "only", "or", "order",
            "outer", "overlaps", "placing", "primary", "references", "returning", "right", "select",
            "session_user", "similar", "some", "symmetric", "system_user", "table", "tablesample", "then",
            "to", "trailing", "true", "union", "unique", "user", "using", "variadic", "verbose", "when",
            "where", "window", "with");
    /** First key of the two-int advisory lock: "opsk" in ASCII, so it is recognisable in pg_locks. */
    private static final int LOCK_NAMESPACE = 0x6f70736b;

    /** How long {@link #install} waits for another installer of the same schema by default. */
    public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofMinutes(2);

    private final DataSource dataSource;
    private final String schema;
    private final Duration lockTimeout;

    private SchemaInstaller(DataSource dataSource, String schema, Duration lockTimeout) {
        this.dataSource = dataSource;
        this.schema = schema;
        this.lockTimeout = lockTimeout;
    }

    /**
     * A copy of this installer that waits at most {@code timeout} for another installer of the
     * same schema (default {@link #DEFAULT_LOCK_TIMEOUT}), then fails instead of hanging a start-up.
     *
     * @param timeout at least 1 ms, at most {@link Integer#MAX_VALUE} ms (PostgreSQL's limit, about 24.8 days)
     * @throws IllegalArgumentException when {@code timeout} is out of that range
     */
    public SchemaInstaller lockTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout must not be null");
        if (timeout.toMillis() < 1) {
            throw new IllegalArgumentException("lock timeout must be at least 1 ms, but was " + timeout);
        }
        if (timeout.compareTo(Duration.ofMillis(Integer.MAX_VALUE)) > 0) {
            // PostgreSQL's lock_timeout is an int of milliseconds (about 24.8 days)
            throw new IllegalArgumentException("lock timeout must be at most " + Integer.MAX_VALUE + " ms, but was " + timeout);
        }
        return new SchemaInstaller(dataSource, schema, timeout);
    }

    /**
     * An installer for {@code schema}, created if missing.
     *
     * @param schema a lower-case PostgreSQL identifier ({@code [a-z_][a-z0-9_]*}, at most 63 characters)
     * @throws IllegalArgumentException naming the schema when it is not such an identifier
     */
    public static SchemaInstaller forSchema(DataSource dataSource, String schema) {
        Objects.requireNonNull(dataSource, "dataSource must not be null");
        return new SchemaInstaller(dataSource, requireSchemaName(schema), DEFAULT_LOCK_TIMEOUT);
    }

    /**
     * Checks that {@code schema} is a safe, unquoted, lower-case identifier, and returns it: it
     * matches {@code [a-z_][a-z0-9_]*}, has at most 63 characters, does not start with {@code pg_}
     * (PostgreSQL reserves that prefix for system schemas) and is not a reserved SQL keyword such
     * as {@code user} or {@code select}. A name that passes can be put into SQL text unquoted.
     *
     * @throws IllegalArgumentException naming the schema when it is not such an identifier
     */
    public static String requireSchemaName(String schema) {
        Objects.requireNonNull(schema, "schema must not be null");
        if (!SCHEMA_NAME.matcher(schema).matches()) {
            throw new IllegalArgumentException("schema must be a lower-case identifier matching "
                    + SCHEMA_NAME.pattern() + " (at most 63 characters), but was '" + schema + "'");
        }
        if (schema.startsWith("pg_")) {
            throw new IllegalArgumentException("schema must not start with pg_ (reserved for PostgreSQL system schemas), but was '"
                    + schema + "'");
        }
        if (RESERVED.contains(schema)) {
            throw new IllegalArgumentException("schema must not be a reserved SQL keyword, but was '" + schema + "'");
        }
        return schema;
    }

    /** The reserved keywords {@link #requireSchemaName} refuses; for tests. */
    static Set<String> reservedKeywords() {
        return RESERVED;
    }

    /** One applied script. */
    public record Applied(String module, int version, String description) {
    }

    /**
     * Brings every module up to its latest version, in one transaction. Blocks while another
     * installer (in this or another JVM) works on the same schema, then applies only what is
     * still missing.
     *
     * @return the scripts applied by this call, in order; empty when everything was up to date
     * @throws SchemaVersionException when the database holds a newer version of a module
     * @throws OpsKitException when a script fails (nothing of this run is kept) or the database is unreachable
     */
    public List<Applied> install(SchemaModule... modules) {
        Objects.requireNonNull(modules, "modules must not be null");
        for (SchemaModule module : modules) {
            Objects.requireNonNull(module, "modules must not contain null");
        }
        List<Applied> applied = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            int isolation = c.getTransactionIsolation();
            c.setAutoCommit(false);
            // Under REPEATABLE READ the snapshot would predate the lock, and a waiting installer would
            // not see the versions the one before it recorded; READ COMMITTED reads them after the lock.
            c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            try {
                try (Statement st = c.createStatement()) {
                    st.execute("SET LOCAL lock_timeout = " + lockTimeout.toMillis());
                    try {
                        st.execute("SELECT pg_advisory_xact_lock(" + LOCK_NAMESPACE + ", hashtext('" + schema + "'))");
                    } catch (SQLException e) {
                        if ("55P03".equals(e.getSQLState())) { // lock_not_available
                            throw new OpsKitException("another opskit schema installer has held the lock on schema '" + schema
                                    + "' for more than " + lockTimeout.toMillis() + " ms; is a start-up stuck? Nothing was changed", e);
                        }
                        throw e;
                    }
                    // the scripts' own DDL waits as long as the server's setting says, not our lock wait
                    st.execute("SET LOCAL lock_timeout TO DEFAULT");
                    st.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
                    st.execute("SET LOCAL search_path TO " + schema);
                    st.execute("""
                            CREATE TABLE IF NOT EXISTS %s.opskit_schema_version (
                                module       text        NOT NULL,
                                version      integer     NOT NULL,
                                description  text        NOT NULL,
                                checksum     text        NOT NULL,
                                installed_at timestamptz NOT NULL DEFAULT now(),
                                PRIMARY KEY (module, version)
                            )""".formatted(schema));
                }
                for (SchemaModule module : modules) {
                    applied.addAll(installModule(c, module));
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
                c.setTransactionIsolation(isolation);
            }
        } catch (SQLException e) {
            throw new OpsKitException("could not install opskit schema '" + schema + "': " + e.getMessage(), e);
        }
        if (!applied.isEmpty()) {
            log.info("opskit schema '{}': applied {}", schema, applied);
        }
        return applied;
    }

    /** The version of {@code module} currently installed, or 0 when none is. */
    public int installedVersion(String module) {
        Objects.requireNonNull(module, "module must not be null");
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement exists = c.prepareStatement(
                    "SELECT to_regclass(? || '.opskit_schema_version') IS NOT NULL")) {
                exists.setString(1, schema);
                try (ResultSet rs = exists.executeQuery()) {
                    rs.next();
                    if (!rs.getBoolean(1)) {
                        return 0;
                    }
                }
            }
            try (PreparedStatement q = c.prepareStatement(
                    "SELECT coalesce(max(version), 0) FROM " + schema + ".opskit_schema_version WHERE module = ?")) {
                q.setString(1, module);
                try (ResultSet rs = q.executeQuery()) {
                    rs.next();
                    return rs.getInt(1);
                }
            }
        } catch (SQLException e) {
            throw new OpsKitException("could not read the schema version of '" + module + "' in schema '" + schema + "': " + e.getMessage(), e);
        }
    }

    private List<Applied> installModule(Connection c, SchemaModule module) throws SQLException {
        int current;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT coalesce(max(version), 0) FROM " + schema + ".opskit_schema_version WHERE module = ?")) {
            ps.setString(1, module.name());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                current = rs.getInt(1);
            }
        }
        if (current > module.latestVersion()) {
            throw new SchemaVersionException("schema '" + schema + "' holds version " + current + " of opskit module '"
                    + module.name() + "', but this library knows only up to version " + module.latestVersion()
                    + ": run a newer opskit-" + module.name() + ", or restore the older database");
        }
        warnAboutChangedScripts(c, module, current);
        List<Applied> applied = new ArrayList<>();
        for (String resource : module.resources().subList(current, module.latestVersion())) {
            int version = SchemaModule.versionOf(resource);
            String sql = read(module.loader(), resource);
            try (Statement st = c.createStatement()) {
                // again for every script, so one that changes search_path cannot misdirect the next
                st.execute("SET LOCAL search_path TO " + schema);
                st.execute(sql);
            } catch (SQLException e) {
                throw new OpsKitException("opskit schema script " + resource + " failed in schema '" + schema + "': " + e.getMessage(), e);
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO " + schema + ".opskit_schema_version (module, version, description, checksum) VALUES (?, ?, ?, ?)")) {
                ps.setString(1, module.name());
                ps.setInt(2, version);
                ps.setString(3, SchemaModule.descriptionOf(resource));
                ps.setString(4, sha256(sql));
                ps.executeUpdate();
            }
            applied.add(new Applied(module.name(), version, SchemaModule.descriptionOf(resource)));
        }
        return applied;
    }

    /**
     * An applied script whose text changed since is a library bug or a local edit; the database
     * keeps what was applied, so this only warns, once per script and run.
     */
    private void warnAboutChangedScripts(Connection c, SchemaModule module, int current) throws SQLException {
        if (current == 0) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT version, checksum FROM " + schema + ".opskit_schema_version WHERE module = ? AND version <= ? ORDER BY version")) {
            ps.setString(1, module.name());
            ps.setInt(2, current);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int version = rs.getInt(1);
                    String resource = module.resources().get(version - 1);
                    if (!sha256(read(module.loader(), resource)).equals(rs.getString(2))) {
                        log.warn("opskit schema '{}': version {} of module '{}' was applied from a script that differs from {}"
                                + " in this library; the database keeps what was applied", schema, version, module.name(), resource);
                    }
                }
            }
        }
    }

    /** The text of one script, for applications that apply it with their own migration tool. */
    public static String read(ClassLoader loader, String resource) {
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                throw new OpsKitException("schema script " + resource + " is not on the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new OpsKitException("could not read schema script " + resource + ": " + e.getMessage(), e);
        }
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
