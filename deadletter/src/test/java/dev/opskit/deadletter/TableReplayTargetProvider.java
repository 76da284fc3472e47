package dev.opskit.deadletter;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A test replay target found by {@link java.util.ServiceLoader}: letters of sources {@code handed:*}
 * are "handed over" by inserting a row into {@code <schema>.handed} in the replay's transaction.
 * The table has no unique key, so a letter handed over twice shows up twice.
 */
public final class TableReplayTargetProvider implements ReplayTargetProvider {
    @Override
    public String sourcePattern() {
        return "handed:*";
    }

    @Override
    public ReplayTarget create(Context context) {
        return target(context.schema());
    }

    static void createTable(Connection c, String schema) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS " + schema + ".handed (letter_id bigint NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())");
        }
    }

    /**
     * A transactional target; a letter with header {@code fail} is refused after its row was
     * inserted, so the test can check that the insert was undone.
     */
    static ReplayTarget target(String schema) {
        return ReplayTarget.transactional((tx, letter) -> {
            try (PreparedStatement ps = tx.prepareStatement("INSERT INTO " + schema + ".handed (letter_id) VALUES (?)")) {
                ps.setLong(1, letter.id());
                ps.executeUpdate();
            }
            if (letter.headers().containsKey("fail")) {
                throw new IllegalStateException("refused letter " + letter.id());
            }
            return "handed-" + letter.id();
        });
    }
}
