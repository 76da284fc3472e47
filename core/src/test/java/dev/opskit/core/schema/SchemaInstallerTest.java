package dev.opskit.core.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opskit.core.OpsKitException;
import dev.opskit.core.schema.SchemaInstaller.Applied;
import dev.opskit.core.testing.PostgresExtension;
import dev.opskit.core.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Each test uses a schema of its own in the class's database, so tests do not see each other. */
@ExtendWith(PostgresExtension.class)
class SchemaInstallerTest {
    private static final String BASE = "dev/opskit/core/schema/";
    private static final ClassLoader LOADER = SchemaInstallerTest.class.getClassLoader();
    private static final SchemaModule WIDGETS = new SchemaModule("widgets", LOADER,
            List.of(BASE + "widgets/V2__add_widget_color.sql", BASE + "widgets/V1__create_widgets.sql"));
    private static final SchemaModule WIDGETS_V1_ONLY = new SchemaModule("widgets", LOADER,
            List.of(BASE + "widgets/V1__create_widgets.sql"));
    private static final SchemaModule BROKEN = new SchemaModule("broken", LOADER,
            List.of(BASE + "broken/V1__create_gadgets.sql", BASE + "broken/V2__typo.sql"));
    private static final SchemaModule SLOW = new SchemaModule("slow", LOADER,
            List.of(BASE + "slow/V1__create_slow_table.sql", BASE + "slow/V2__fill_slow_table.sql"));

    private final TestDatabase db;

    SchemaInstallerTest(TestDatabase db) {
        this.db = db;
    }

    @Test
    void installsScriptsInVersionOrderIntoTheTargetSchemaAndRecordsThem() throws SQLException {
        SchemaInstaller installer = SchemaInstaller.forSchema(db.dataSource(), "install_order");
        assertThat(installer.installedVersion("widgets")).isZero();

        List<Applied> applied = installer.install(WIDGETS);

        assertThat(applied).containsExactly(
                new Applied("widgets", 1, "create widgets"),
                new Applied("widgets", 2, "add widget color"));
        assertThat(installer.installedVersion("widgets")).isEqualTo(2);
        assertThat(query("SELECT module || ':' || version || ':' || description || ':' || length(checksum)"
                + " FROM install_order.opskit_schema_version ORDER BY version"))
                .containsExactly("widgets:1:create widgets:64", "widgets:2:add widget color:64");
        // the tables are in the target schema, not in public
        db.execute("INSERT INTO install_order.widgets (name) VALUES ('w')");
        assertThat(query("SELECT color FROM install_order.widgets")).containsExactly("grey");
        assertThat(query("SELECT to_regclass('public.widgets') IS NULL")).containsExactly("t");
    }

    @Test
    void aSecondRunAppliesNothingAndKeepsTheData() throws SQLException {
        SchemaInstaller installer = SchemaInstaller.forSchema(db.dataSource(), "idempotent");
        installer.install(WIDGETS);
        db.execute("INSERT INTO idempotent.widgets (name, color) VALUES ('kept', 'red')");

        assertThat(installer.install(WIDGETS)).isEmpty();
        assertThat(SchemaInstaller.forSchema(db.dataSource(), "idempotent").install(WIDGETS, WIDGETS)).isEmpty();

        assertThat(query("SELECT name || ':' || color FROM idempotent.widgets")).containsExactly("kept:red");
        assertThat(query("SELECT count(*) FROM idempotent.opskit_schema_version")).containsExactly("2");
    }

    @Test
    void upgradesFromAnOlderVersionByApplyingOnlyTheNewScripts() throws SQLException {
        SchemaInstaller installer = SchemaInstaller.forSchema(db.dataSource(), "upgrade");
        assertThat(installer.install(WIDGETS_V1_ONLY)).extracting(Applied::version).containsExactly(1);
        db.execute("INSERT INTO upgrade.widgets (name) VALUES ('old')");

        assertThat(installer.install(WIDGETS)).extracting(Applied::version).containsExactly(2);

        assertThat(query("SELECT name || ':' || color FROM upgrade.widgets")).containsExactly("old:grey");
    }

    @Test
    void twoInstallersStartingAtOnceApplyEachScriptExactlyOnce() throws Exception {
        installConcurrently(db.dataSource(), "concurrent");
    }

    @Test
    void concurrentInstallersAlsoWorkWhenConnectionsDefaultToRepeatableRead() throws Exception {
        org.postgresql.ds.PGSimpleDataSource repeatableRead = new org.postgresql.ds.PGSimpleDataSource();
        repeatableRead.setURL(db.jdbcUrl());
        repeatableRead.setOptions("-c default_transaction_isolation=repeatable\\ read");
        try (Connection c = repeatableRead.getConnection()) {
            assertThat(c.getTransactionIsolation()).isEqualTo(Connection.TRANSACTION_REPEATABLE_READ);
        }
        installConcurrently(repeatableRead, "concurrent_rr");
        try (Connection c = repeatableRead.getConnection()) {
            assertThat(c.getTransactionIsolation()).isEqualTo(Connection.TRANSACTION_REPEATABLE_READ);
        }
    }

    private void installConcurrently(javax.sql.DataSource dataSource, String schema) throws Exception {
        int installers = 3;
        CyclicBarrier start = new CyclicBarrier(installers);
        ExecutorService pool = Executors.newFixedThreadPool(installers);
        try {
            List<Future<List<Applied>>> runs = new ArrayList<>();
            for (int i = 0; i < installers; i++) {
                // separate installers, each on its own connection, as separate JVMs would be
                SchemaInstaller installer = SchemaInstaller.forSchema(dataSource, schema);
                runs.add(pool.submit(() -> {
                    start.await(30, TimeUnit.SECONDS);
                    return installer.install(SLOW);
                }));
            }
            List<List<Applied>> results = new ArrayList<>();
            for (Future<List<Applied>> run : runs) {
                results.add(run.get(120, TimeUnit.SECONDS));
            }

            List<List<Applied>> appliedSomething = results.stream().filter(r -> !r.isEmpty()).toList();
            assertThat(appliedSomething).hasSize(1);
            assertThat(appliedSomething.get(0)).extracting(Applied::version).containsExactly(1, 2);
            assertThat(results).filteredOn(List::isEmpty).hasSize(installers - 1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(query("SELECT last_value FROM " + schema + ".slow_applications")).containsExactly("1");
        assertThat(query("SELECT count(*) FROM " + schema + ".slow_table")).containsExactly("1");
        assertThat(query("SELECT version FROM " + schema + ".opskit_schema_version ORDER BY version")).containsExactly("1", "2");
    }

    @Test
    void aScriptThatChangesSearchPathDoesNotMisdirectTheVersionRecord() throws SQLException {
        // slow/V2 ends with SET search_path TO public
        SchemaInstaller.forSchema(db.dataSource(), "search_path_change").install(SLOW);
        assertThat(query("SELECT version FROM search_path_change.opskit_schema_version ORDER BY version")).containsExactly("1", "2");
        assertThat(query("SELECT to_regclass('public.opskit_schema_version') IS NULL")).containsExactly("t");
    }

    @Test
    void aNewerVersionInTheDatabaseIsRefusedAndNothingChanges() throws SQLException {
        SchemaInstaller installer = SchemaInstaller.forSchema(db.dataSource(), "newer");
        installer.install(WIDGETS);

        // an older application: knows widgets only up to V1, and brings a module not yet installed
        assertThatThrownBy(() -> installer.install(SLOW, WIDGETS_V1_ONLY))
                .isInstanceOf(SchemaVersionException.class)
                .isInstanceOf(OpsKitException.class)
                .hasMessageContaining("schema 'newer' holds version 2 of opskit module 'widgets'")
                .hasMessageContaining("knows only up to version 1");

        // slow was listed first, yet nothing of it was kept
        assertThat(query("SELECT to_regclass('newer.slow_table') IS NULL")).containsExactly("t");
        assertThat(query("SELECT module || ':' || version FROM newer.opskit_schema_version ORDER BY version"))
                .containsExactly("widgets:1", "widgets:2");
        assertThat(installer.installedVersion("slow")).isZero();
    }

    @Test
    void aFailingScriptRollsBackEverythingOfThatRun() throws SQLException {
        SchemaInstaller installer = SchemaInstaller.forSchema(db.dataSource(), "failing");

        assertThatThrownBy(() -> installer.install(WIDGETS, BROKEN))
                .isInstanceOf(OpsKitException.class)
                .hasMessageContaining("broken/V2__typo.sql")
                .hasMessageContaining("schema 'failing'")
                .hasMessageContaining("integr");

        // not the widgets, not gadgets V1, not even the schema: one transaction
        assertThat(query("SELECT count(*) FROM pg_namespace WHERE nspname = 'failing'")).containsExactly("0");
        assertThat(installer.installedVersion("widgets")).isZero();
    }

    @Test
    void aFailedRunLeavesEarlierRunsIntact() throws SQLException {
        SchemaInstaller installer = SchemaInstaller.forSchema(db.dataSource(), "partly");
        installer.install(WIDGETS);
        db.execute("INSERT INTO partly.widgets (name) VALUES ('kept')");

        assertThatThrownBy(() -> installer.install(BROKEN)).isInstanceOf(OpsKitException.class);

        assertThat(query("SELECT name FROM partly.widgets")).containsExactly("kept");
        assertThat(query("SELECT to_regclass('partly.gadgets') IS NULL")).containsExactly("t");
        assertThat(installer.installedVersion("widgets")).isEqualTo(2);
        assertThat(installer.installedVersion("broken")).isZero();
    }

    @Test
    void aMissingScriptIsReportedByPathAndNothingIsKept() throws SQLException {
        SchemaModule missing = new SchemaModule("missing", LOADER, List.of(BASE + "nowhere/V1__absent.sql"));
        SchemaInstaller installer = SchemaInstaller.forSchema(db.dataSource(), "missing_script");

        assertThatThrownBy(() -> installer.install(WIDGETS, missing))
                .isInstanceOf(OpsKitException.class)
                .hasMessageContaining(BASE + "nowhere/V1__absent.sql").hasMessageContaining("not on the classpath");

        assertThat(query("SELECT count(*) FROM pg_namespace WHERE nspname = 'missing_script'")).containsExactly("0");
    }

    @Test
    void schemasAreIndependentOfEachOther() throws SQLException {
        assertThat(SchemaInstaller.forSchema(db.dataSource(), "tenant_a").install(WIDGETS)).hasSize(2);
        assertThat(SchemaInstaller.forSchema(db.dataSource(), "tenant_b").install(WIDGETS)).hasSize(2);
        assertThat(query("SELECT to_regclass('tenant_a.widgets') IS NOT NULL AND to_regclass('tenant_b.widgets') IS NOT NULL"))
                .containsExactly("t");
    }

    @Test
    void aKeywordThatPostgresAllowsAsAnIdentifierWorksAsASchema() throws SQLException {
        // "between" and "names" are keywords, but not reserved ones
        assertThat(SchemaInstaller.forSchema(db.dataSource(), "between").install(WIDGETS)).hasSize(2);
        assertThat(SchemaInstaller.forSchema(db.dataSource(), "names").install(WIDGETS)).hasSize(2);
        assertThat(query("SELECT count(*) FROM between.widgets")).containsExactly("0");
    }

    @Test
    void badSchemaNamesAreRefusedAndNamed() {
        for (String bad : List.of("", "Opskit", "1abc", "a-b", "ops kit", "x;drop table y", "\"quoted\"",
                "é", "a".repeat(64), "user", "select", "table", "left", "pg_temp", "pg_catalog")) {
            assertThatThrownBy(() -> SchemaInstaller.forSchema(db.dataSource(), bad))
                    .as("schema '%s'", bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("schema must")
                    .hasMessageContaining("'" + bad + "'");
        }
        assertThatNullPointerException().isThrownBy(() -> SchemaInstaller.forSchema(db.dataSource(), null))
                .withMessageContaining("schema");
        assertThatNullPointerException().isThrownBy(() -> SchemaInstaller.forSchema(null, "opskit"))
                .withMessageContaining("dataSource");
        for (String good : List.of("opskit", "_x", "tenant_1", "a".repeat(63), "public", "between")) {
            assertThat(SchemaInstaller.requireSchemaName(good)).isEqualTo(good);
        }
    }

    @Test
    void theReservedWordListMatchesTheServer() throws SQLException {
        // keywords of categories R (reserved) and T (not usable as a schema name unquoted)
        Set<String> server = new HashSet<>(query("SELECT word FROM pg_get_keywords() WHERE catcode IN ('R', 'T')"));
        assertThat(SchemaInstaller.reservedKeywords()).containsExactlyInAnyOrderElementsOf(server);
    }

    @Test
    void nullModulesAreRefused() {
        SchemaInstaller installer = SchemaInstaller.forSchema(db.dataSource(), "nulls");
        assertThatNullPointerException().isThrownBy(() -> installer.install((SchemaModule[]) null)).withMessageContaining("modules");
        assertThatNullPointerException().isThrownBy(() -> installer.install(WIDGETS, null)).withMessageContaining("modules");
    }

    @Test
    void anUnreachableDatabaseIsAnOpsKitExceptionNamingTheSchema() {
        org.postgresql.ds.PGSimpleDataSource nowhere = new org.postgresql.ds.PGSimpleDataSource();
        nowhere.setURL("jdbc:postgresql://127.0.0.1:1/none?user=nobody");
        nowhere.setConnectTimeout(2);
        assertThatThrownBy(() -> SchemaInstaller.forSchema(nowhere, "opskit").install(WIDGETS))
                .isInstanceOf(OpsKitException.class).hasMessageContaining("schema 'opskit'");
    }

    @Test
    void theScriptsAreReadableAsPlainSqlForOtherMigrationTools() {
        List<String> texts = new ArrayList<>();
        for (String resource : WIDGETS.resources()) {
            texts.add(SchemaInstaller.read(WIDGETS.loader(), resource));
        }
        assertThat(texts.get(0)).contains("CREATE TABLE widgets");
        assertThat(texts.get(1)).contains("ALTER TABLE widgets ADD COLUMN color");
        assertThatThrownBy(() -> SchemaInstaller.read(LOADER, "no/such/V1__x.sql"))
                .isInstanceOf(OpsKitException.class).hasMessageContaining("no/such/V1__x.sql");
    }

    @Test
    void aStuckInstallerMakesTheNextOneFailAfterItsLockTimeoutInsteadOfHanging() throws SQLException {
        try (Connection holder = db.dataSource().getConnection(); Statement st = holder.createStatement()) {
            holder.setAutoCommit(false);
            // the same lock an installer of schema 'stuck' takes
            st.execute("SELECT pg_advisory_xact_lock(" + 0x6f70736b + ", hashtext('stuck'))");
            SchemaInstaller impatient = SchemaInstaller.forSchema(db.dataSource(), "stuck").lockTimeout(java.time.Duration.ofMillis(200));
            assertThatThrownBy(() -> impatient.install(WIDGETS))
                    .isInstanceOf(OpsKitException.class)
                    .hasMessageContaining("schema 'stuck'")
                    .hasMessageContaining("200 ms")
                    .hasMessageContaining("Nothing was changed");
            holder.rollback();
        }
        assertThat(query("SELECT count(*) FROM pg_namespace WHERE nspname = 'stuck'")).containsExactly("0");
        assertThat(SchemaInstaller.forSchema(db.dataSource(), "stuck").install(WIDGETS)).hasSize(2);
        assertThatThrownBy(() -> SchemaInstaller.forSchema(db.dataSource(), "stuck").lockTimeout(java.time.Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1 ms");
        // beyond PostgreSQL's int milliseconds the server would refuse it only at install time
        assertThatThrownBy(() -> SchemaInstaller.forSchema(db.dataSource(), "stuck").lockTimeout(java.time.Duration.ofDays(30)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 2147483647 ms").hasMessageContaining("PT720H");
    }

    private List<String> query(String sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
        }
        return rows;
    }
}
