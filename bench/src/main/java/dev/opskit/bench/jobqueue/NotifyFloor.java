package dev.opskit.bench.jobqueue;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.Arrays;

/**
 * The floor under any cross-process wake-up by LISTEN/NOTIFY on this machine, without opskit:
 * one connection runs {@code SELECT pg_notify('c', 'x')} every 10 ms, a thread blocked in
 * pgjdbc's {@code getNotifications(timeout)} on another connection receives it; prints p50 and p99
 * of "statement sent -> notification received" and the p50 from the moment the sender's commit
 * returned. Three modes: timeout 250 ms and 0 as pgjdbc comes, and 250 ms with opskit's
 * {@code NotifyPeek} on the listening connection (pgjdbc otherwise waits 1 ms after every
 * notification before {@code getNotifications} returns).
 *
 * <pre>
 * mvn -q -pl bench exec:exec -Dbench.main=dev.opskit.bench.jobqueue.NotifyFloor -Dbench.args=""
 * </pre>
 */
public final class NotifyFloor {
    private NotifyFloor() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("# machine load before: " + Bench.load());
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setServerConfig("synchronous_commit", "on").start()) {
            String url = pg.getJdbcUrl("postgres", "postgres");
            // -250: as 250, with opskit's NotifyPeek on the listening connection (no 1 ms peek after each notification)
            for (int mode : new int[] {250, 0, -250}) {
                int timeout = Math.abs(mode);
                try (Connection listen = DriverManager.getConnection(url); Connection send = DriverManager.getConnection(url)) {
                    listen.createStatement().execute("LISTEN c");
                    if (mode < 0) {
                        dev.opskit.jobqueue.internal.NotifyPeek.disable(listen);
                    }
                    PGConnection p = listen.unwrap(PGConnection.class);
                    Object lock = new Object();
                    long[] got = new long[1];
                    Thread t = new Thread(() -> {
                        try {
                            while (true) {
                                PGNotification[] ns = p.getNotifications(timeout);
                                if (ns != null && ns.length > 0) {
                                    synchronized (lock) {
                                        got[0] = System.nanoTime();
                                        lock.notifyAll();
                                    }
                                }
                            }
                        } catch (Exception ignored) {
                            // connection closed
                        }
                    });
                    t.setDaemon(true);
                    t.start();
                    PreparedStatement ps = send.prepareStatement("SELECT pg_notify('c', 'x')");
                    int n = 600;
                    long[] lat = new long[n - 100];
                    long[] afterCommit = new long[n - 100];
                    for (int i = 0; i < n; i++) {
                        Thread.sleep(10);
                        synchronized (lock) {
                            got[0] = 0;
                        }
                        long t0 = System.nanoTime();
                        ps.executeQuery().close();
                        long t1 = System.nanoTime();
                        synchronized (lock) {
                            while (got[0] == 0) {
                                lock.wait(100);
                            }
                            if (i >= 100) {
                                lat[i - 100] = got[0] - t0;
                                afterCommit[i - 100] = got[0] - t1;
                            }
                        }
                    }
                    Arrays.sort(lat);
                    Arrays.sort(afterCommit);
                    System.out.printf("{\"measurement\":\"notify_delivery\",\"getNotifications_timeout_ms\":%d,\"opskit_notify_peek_off\":%b,\"p50_ms\":%.3f,\"p99_ms\":%.3f,"
                                    + "\"after_commit_returned_p50_ms\":%.3f,\"load\":\"%s\"}%n",
                            timeout, mode < 0, lat[lat.length / 2] / 1e6, lat[(int) (lat.length * 0.99)] / 1e6, afterCommit[afterCommit.length / 2] / 1e6, Bench.load());
                }
            }
        }
        System.exit(0);
    }
}
