package dev.opskit.core.jdbc;

import dev.opskit.core.testing.PostgresExtension;
import dev.opskit.core.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

@ExtendWith(PostgresExtension.class)
class JdbcTest {
    private final TestDatabase db;

    JdbcTest(TestDatabase db) {
        this.db = db;
    }

    @Test
    void anInstantSurvivesARoundTripThroughTimestamptzInANonUtcSessionToTheMicrosecond() throws SQLException {
        Instant t = Instant.parse("2026-03-29T01:30:00.123456Z"); // inside a DST change in Europe
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
            st.execute("SET TIME ZONE 'Europe/Berlin'");
            try (PreparedStatement ps = c.prepareStatement("SELECT ?::timestamptz AS t, ?::timestamptz AS n")) {
                Jdbc.setInstant(ps, 1, t);
                Jdbc.setInstant(ps, 2, null);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    assertThat(Jdbc.instant(rs, 1)).isEqualTo(t);
                    assertThat(Jdbc.instant(rs, "t")).isEqualTo(t);
                    assertThat(Jdbc.instant(rs, 2)).isNull();
                    assertThat(Jdbc.instant(rs, "n")).isNull();
                    assertThat(Jdbc.requiredInstant(rs, 1)).isEqualTo(t);
                    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Jdbc.requiredInstant(rs, 2))
                            .isInstanceOf(NullPointerException.class).hasMessageContaining("column 2");
                }
            }
        }
    }

    @Test
    void rollbackQuietlyUndoesTheTransactionAndIgnoresAConnectionThatIsAlreadyClosed() throws SQLException {
        db.execute("CREATE TABLE jdbc_test (n int)");
        Connection c = db.dataSource().getConnection();
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            st.execute("INSERT INTO jdbc_test VALUES (1)");
        }
        Jdbc.rollbackQuietly(c);
        c.close();
        assertThatCode(() -> Jdbc.rollbackQuietly(c)).doesNotThrowAnyException(); // closed: rollback throws inside
        Jdbc.rollbackQuietly(null);
        try (Connection d = db.dataSource().getConnection(); Statement st = d.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM jdbc_test")) {
            rs.next();
            assertThat(rs.getInt(1)).isZero();
        }
    }

    @Test
    void closeQuietlyClosesAndSwallowsAFailingClose() {
        AtomicInteger closes = new AtomicInteger();
        Jdbc.closeQuietly(closes::incrementAndGet);
        assertThat(closes).hasValue(1);
        assertThatCode(() -> Jdbc.closeQuietly(() -> {
            throw new SQLException("broken");
        })).doesNotThrowAnyException();
        Jdbc.closeQuietly(null);
    }
}
