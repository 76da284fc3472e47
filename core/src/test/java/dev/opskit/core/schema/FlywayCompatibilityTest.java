package dev.opskit.core.schema;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opskit.core.testing.PostgresExtension;
import dev.opskit.core.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The installer's scripts are plain Flyway migrations: an application that runs Flyway itself can
 * apply them with a Flyway instance of their own, as the README shows.
 */
@ExtendWith(PostgresExtension.class)
class FlywayCompatibilityTest {

    @Test
    void flywayAppliesAModulesScriptsIntoTheChosenSchema(TestDatabase db) throws SQLException {
        Flyway flyway = Flyway.configure()
                .dataSource(db.dataSource())
                .schemas("opskit")
                .table("opskit_widgets_flyway_history")
                .locations("classpath:dev/opskit/core/schema/widgets")
                .load();

        MigrateResult result = flyway.migrate();

        assertThat(result.migrationsExecuted).isEqualTo(2);
        assertThat(result.targetSchemaVersion).isEqualTo("2");
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO opskit.widgets (name) VALUES ('via flyway')");
            try (ResultSet rs = st.executeQuery("SELECT color FROM opskit.widgets")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("grey");
            }
        }
        assertThat(flyway.migrate().migrationsExecuted).as("idempotent").isZero();
    }
}
