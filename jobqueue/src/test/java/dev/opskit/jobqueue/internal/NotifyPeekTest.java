package dev.opskit.jobqueue.internal;

import dev.opskit.core.testing.PostgresExtension;
import dev.opskit.core.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pins the pgjdbc internals {@link NotifyPeek} relies on: a driver upgrade that renames them
 * fails here instead of silently adding 1 ms to every wake-up.
 */
@ExtendWith(PostgresExtension.class)
class NotifyPeekTest {
    private final TestDatabase db;

    NotifyPeekTest(TestDatabase db) {
        this.db = db;
    }

    @Test
    void theDriversInternalsAreFoundAndThePreviousValueIsPutBack() throws Exception {
        try (Connection c = db.dataSource().getConnection()) {
            Long before = NotifyPeek.nextCheckTimeOf(c);
            assertThat(before).as("pgjdbc's PGStream.nextStreamAvailableCheckTime, reached through QueryExecutorBase.pgStream").isNotNull();
            Long previous = NotifyPeek.disable(c);
            assertThat(previous).isEqualTo(before);
            assertThat(NotifyPeek.nextCheckTimeOf(c)).isEqualTo(Long.MAX_VALUE);
            NotifyPeek.restore(c, previous);
            assertThat(NotifyPeek.nextCheckTimeOf(c)).isEqualTo(before);
        }
    }

    @Test
    void withThePeekOffNotificationsSentTogetherAllArriveAndQueriesStillWork() throws Exception {
        try (Connection listen = db.dataSource().getConnection(); Connection send = db.dataSource().getConnection()) {
            try (Statement st = listen.createStatement()) {
                st.execute("LISTEN peek_test");
            }
            Long previous = NotifyPeek.disable(listen);
            try (Statement st = send.createStatement()) {
                st.execute("SELECT pg_notify('peek_test', 'a'), pg_notify('peek_test', 'b'), pg_notify('peek_test', 'c')");
            }
            PGConnection pg = listen.unwrap(PGConnection.class);
            List<String> got = new ArrayList<>();
            for (int i = 0; i < 20 && got.size() < 3; i++) {
                PGNotification[] ns = pg.getNotifications(250);
                if (ns != null) {
                    for (PGNotification n : ns) {
                        got.add(n.getParameter());
                    }
                }
            }
            assertThat(got).containsExactly("a", "b", "c");
            try (Statement st = listen.createStatement(); var rs = st.executeQuery("SELECT 42")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(42);
            }
            NotifyPeek.restore(listen, previous);
        }
    }

    @Test
    void aConnectionThatIsNotPgjdbcIsLeftAlone() {
        Connection notPgjdbc = (Connection) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                    throw new java.sql.SQLException("not a wrapper for " + (args == null ? "" : args[0]));
                });
        assertThat(NotifyPeek.disable(notPgjdbc)).isNull();
        NotifyPeek.restore(notPgjdbc, null); // nothing to do, no error
    }
}
