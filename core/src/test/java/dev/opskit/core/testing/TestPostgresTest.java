package dev.opskit.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class TestPostgresTest {

    @Test
    void serverIsPostgres16OrNewer(TestDatabase db) throws SQLException {
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SHOW server_version_num")) {
            rs.next();
            assertThat(Integer.parseInt(rs.getString(1))).isGreaterThanOrEqualTo(160000);
        }
    }

    @Test
    void theDataDirectoryIsTaggedWithTheRunIdSoCiCleanupStopsOnlyItsOwnServers() {
        assertThat(TestPostgres.dataDirectoryPrefix(null)).isEqualTo("opskit-test-pg-");
        assertThat(TestPostgres.dataDirectoryPrefix(" ")).isEqualTo("opskit-test-pg-");
        assertThat(TestPostgres.dataDirectoryPrefix("ci-4711")).isEqualTo("opskit-test-pg-ci-4711-");
        assertThatThrownBy(() -> TestPostgres.dataDirectoryPrefix("ci 4711; rm"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("OPSKIT_TEST_RUN_ID").hasMessageContaining("'ci 4711; rm'");
    }

    @Test
    void theRunningServerUsesTheTaggedDataDirectory(TestDatabase db) throws SQLException {
        assumeFalse(db.server().isExternal(), "an external server has its own data directory");
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SHOW data_directory")) {
            rs.next();
            assertThat(Path.of(rs.getString(1)).getFileName().toString())
                    .startsWith(TestPostgres.dataDirectoryPrefix(System.getenv(TestPostgres.RUN_ID_ENV)));
        }
    }

    @Test
    void eachDatabaseIsIsolated(TestDatabase db) {
        db.execute("CREATE TABLE visible_only_here (id int)");
        try (TestDatabase other = db.server().createDatabase("other")) {
            assertThatThrownBy(() -> other.execute("SELECT * FROM visible_only_here"))
                    .hasMessageContaining("visible_only_here");
        }
    }

    @Test
    void stopAndStartKeepsData(TestDatabase db) throws SQLException {
        assumeFalse(db.server().isExternal(), "an external server is never stopped by tests");
        db.execute("CREATE TABLE survives (v text); INSERT INTO survives VALUES ('kept')");
        db.server().stop();
        try {
            assertThatThrownBy(() -> db.dataSource().getConnection()).isInstanceOf(SQLException.class);
        } finally {
            db.server().start();
        }
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT v FROM survives")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("kept");
        }
    }
}
