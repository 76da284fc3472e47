package dev.opskit.jobqueue;

import dev.opskit.jobqueue.internal.NotifyPeek;
import dev.opskit.jobqueue.internal.PgStore;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One thread ({@code opskit-jobqueue-listen}) holding a dedicated connection with {@code LISTEN}
 * on the schema's channel; a notification (its payload is the queue name) wakes that queue's
 * {@link QueueRunner}. A lost connection is reopened, and every queue is woken then, since
 * notifications sent while nobody listened are lost; polling goes on meanwhile. Off behind
 * PgBouncer in transaction mode ({@link Workers.Builder#listenNotify(boolean)}).
 */
final class NotifyListener {
    private static final Logger log = LoggerFactory.getLogger(NotifyListener.class);

    private final String workerId;
    private final DataSource dataSource;
    private final PgStore store;
    private final Map<String, QueueRunner> runners;
    private final StopSignals signals;
    private @Nullable Thread thread;

    NotifyListener(String workerId, DataSource dataSource, PgStore store, Map<String, QueueRunner> runners, StopSignals signals) {
        this.workerId = workerId;
        this.dataSource = dataSource;
        this.store = store;
        this.runners = runners;
        this.signals = signals;
    }

    void start() {
        thread = StopSignals.daemon(this::loop, "opskit-jobqueue-listen");
        thread.start();
    }

    /** Waits up to {@code millis} for the thread to end (it ends within 250 ms of closing). */
    void awaitEnd(long millis) throws InterruptedException {
        if (thread != null) {
            thread.join(millis);
        }
    }

    private void loop() {
        long failures = 0;
        while (!signals.closing()) {
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(true);
                store.listen(c);
                PGConnection pg = c.unwrap(PGConnection.class);
                if (failures > 0) {
                    log.info("{} - listening for new jobs again", workerId);
                }
                failures = 0;
                runners.values().forEach(QueueRunner::wakeUp); // notifications sent while we were not listening are lost
                Long peek = NotifyPeek.disable(c); // 1 ms less per notification, see NotifyPeek
                try {
                    while (!signals.closing()) {
                        PGNotification[] ns = pg.getNotifications(250);
                        if (ns == null) {
                            continue;
                        }
                        for (PGNotification n : ns) {
                            QueueRunner r = runners.get(n.getParameter());
                            if (r != null) {
                                r.wakeUp();
                            }
                        }
                    }
                } finally {
                    NotifyPeek.restore(c, peek);
                }
            } catch (SQLException | RuntimeException e) {
                if (signals.closing()) {
                    return;
                }
                failures++;
                if (failures == 1) {
                    log.warn("{} - the LISTEN connection failed, reconnecting (polling continues meanwhile): {}", workerId, e.toString());
                }
                signals.sleepUnlessClosing(Math.min(250L * failures, 5000));
            }
        }
    }
}
