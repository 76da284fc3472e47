package dev.opskit.core.jdbc;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Clean-up on a failure path, where the first failure is the one to report: a rollback or close
 * that fails as well (the connection is usually broken by then) is ignored.
 */
public final class Quietly {
    private Quietly() {
    }

    /** Rolls back, ignoring a failure: the transaction is gone with a broken connection anyway. */
    public static void rollback(Connection c) {
        if (c != null) {
            try {
                c.rollback();
            } catch (SQLException ignored) {
                // the original failure is what matters
            }
        }
    }

    /** Closes, ignoring a failure; null is allowed. */
    public static void close(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // already broken; nothing else to do
            }
        }
    }
}
