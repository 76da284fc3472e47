package dev.opskit.jobqueue;

import dev.opskit.core.testing.TestDatabase;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Concurrent {@code enqueue(request)} calls grouped into one statement: every caller gets its own job. */
class GroupEnqueueTest extends PostgresQueueTestBase {

    GroupEnqueueTest(TestDatabase db) {
        super(db);
    }

    @Test
    void sixteenThreadsEnqueueingAtOnceEachGetTheIdOfTheirOwnJob() throws Exception {
        int threads = 16;
        int each = 40;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        Map<Long, String> payloadById = new ConcurrentHashMap<>();
        List<Future<?>> futures = new ArrayList<>();
        CountDownLatch start = new CountDownLatch(1);
        for (int t = 0; t < threads; t++) {
            int thread = t;
            futures.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < each; i++) {
                    String payload = "{\"n\":" + i + ",\"thread\":" + thread + "}"; // jsonb's key order
                    EnqueueResult r = queue.enqueue(JobRequest.builder("mail").queue(i % 2 == 0 ? "default" : "other").payload(payload).build());
                    assertThat(r.inserted()).isTrue();
                    assertThat(payloadById.put(r.jobId(), payload)).as("id %d handed out twice", r.jobId()).isNull();
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : futures) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertThat(payloadById).hasSize(threads * each);
        // every id names the job its caller enqueued
        Map<Long, String> stored = new java.util.HashMap<>();
        try (Connection c = db.dataSource().getConnection(); java.sql.Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT id, payload::text FROM opskit.jobs")) {
            while (rs.next()) {
                stored.put(rs.getLong(1), rs.getString(2).replace(" ", ""));
            }
        }
        assertThat(stored).isEqualTo(payloadById);
        assertThat(queue.groupEnqueue().largestGroup()).as("calls were grouped").isGreaterThan(1);
    }

    @Test
    void aRequestTheServerRejectsFailsAloneAndTheOthersOfItsGroupAreStored() throws Exception {
        // a rule of the application's own on the table (a constraint or trigger) rejects one request on the server
        db.execute("ALTER TABLE opskit.jobs ADD CONSTRAINT test_no_bad CHECK (payload->>'bad' IS NULL)");
        GatedDataSource gated = new GatedDataSource(db.dataSource());
        PostgresJobQueue queue = PostgresJobQueue.builder(gated).build();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        // the first calls run alone and are held in getConnection(); the five that arrive meanwhile form one group
        List<String> payloads = numbered(5);
        payloads.set(2, "{\"n\":3,\"bad\":true}");
        HeldGroup held = holdAGroup(gated, queue, pool, payloads);
        List<Future<EnqueueResult>> group = held.group();
        gated.release.countDown();
        for (Future<EnqueueResult> f : held.first()) {
            assertThat(f.get(30, TimeUnit.SECONDS).inserted()).isTrue();
        }
        for (Future<EnqueueResult> f : group) {
            try {
                f.get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException expectedForOne) {
                // checked below
            }
        }
        assertThat(gated.connections.get()).as("one connection for the group statement and the five tries alone").isEqualTo(1);
        Set<Long> ids = new HashSet<>();
        for (int i = 1; i <= 5; i++) {
            Future<EnqueueResult> f = group.get(i - 1);
            if (i == 3) {
                assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(JobQueueException.class)
                        .hasMessageContaining("could not enqueue").hasMessageContaining("test_no_bad");
            } else {
                long id = f.get(30, TimeUnit.SECONDS).jobId();
                ids.add(id);
                assertThat(queue.get(id).orElseThrow().payload().replace(" ", "")).isEqualTo("{\"n\":" + i + "}");
            }
        }
        pool.shutdown();
        assertThat(ids).hasSize(4);
        assertThat(count()).isEqualTo(4 + GroupEnqueue.MAX_IN_FLIGHT);
        db.execute("ALTER TABLE opskit.jobs DROP CONSTRAINT test_no_bad");
    }

    @Test
    void aGroupStatementFailingWithoutASqlStateOrWithARuntimeExceptionFailsNoGoodRequest() throws Exception {
        // issue 20: 23 good requests failed beside bad ones whose failure was not an SQL state of the server
        for (Exception failure : List.of(new SQLException("driver refused a value (no SQL state)"),
                new ArithmeticException("long overflow"))) {
            db.execute("TRUNCATE opskit.jobs");
            GatedDataSource gated = new GatedDataSource(db.dataSource());
            gated.failGroupStatement = failure;
            PostgresJobQueue queue = PostgresJobQueue.builder(gated).build();
            ExecutorService pool = Executors.newFixedThreadPool(8);
            HeldGroup held = holdAGroup(gated, queue, pool, numbered(5));
            gated.release.countDown();
            for (Future<EnqueueResult> f : held.first()) {
                assertThat(f.get(30, TimeUnit.SECONDS).inserted()).isTrue();
            }
            for (Future<EnqueueResult> f : held.group()) {
                assertThat(f.get(30, TimeUnit.SECONDS).inserted()).as("after %s", failure).isTrue();
            }
            pool.shutdown();
            assertThat(gated.failGroupStatement).as("the group statement was tried and failed").isNull();
            assertThat(count()).isEqualTo(5 + GroupEnqueue.MAX_IN_FLIGHT);
        }
    }

    @Test
    void whenTheServerIsUnreachableEveryCallOfTheGroupFailsWithThatError() throws Exception {
        GatedDataSource gated = new GatedDataSource(db.dataSource());
        PostgresJobQueue queue = PostgresJobQueue.builder(gated).build();
        ExecutorService pool = Executors.newFixedThreadPool(6);
        HeldGroup held = holdAGroup(gated, queue, pool, List.of("{}", "{}", "{}"));
        gated.failNext = true;
        gated.release.countDown();
        for (Future<EnqueueResult> f : held.first()) {
            f.get(30, TimeUnit.SECONDS);
        }
        for (Future<EnqueueResult> f : held.group()) {
            assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(JobQueueException.class)
                    .hasMessageContaining("server unreachable (test)");
        }
        pool.shutdown();
        assertThat(count()).isEqualTo(GroupEnqueue.MAX_IN_FLIGHT);
    }

    @Test
    void aGroupCarriesAtMostFourMillionPayloadCharacters() throws Exception {
        GatedDataSource gated = new GatedDataSource(db.dataSource());
        PostgresJobQueue queue = PostgresJobQueue.builder(gated).build();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        String big = "\"" + "x".repeat(1_500_000) + "\"";
        List<String> payloads = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            payloads.add("{\"n\":" + i + ",\"text\":" + big + "}");
        }
        HeldGroup held = holdAGroup(gated, queue, pool, payloads);
        gated.release.countDown();
        for (Future<EnqueueResult> f : held.first()) {
            f.get(30, TimeUnit.SECONDS);
        }
        Set<Long> ids = new HashSet<>();
        for (Future<EnqueueResult> f : held.group()) {
            ids.add(f.get(60, TimeUnit.SECONDS).jobId());
        }
        pool.shutdown();
        assertThat(ids).hasSize(4);
        assertThat(queue.groupEnqueue().largestGroup()).as("two payloads of 1.5 million characters fit, three do not").isEqualTo(2);
        assertThat(count()).isEqualTo(4 + GroupEnqueue.MAX_IN_FLIGHT);
    }

    /** The calls that the gate holds in getConnection(), and the group of calls that formed behind them. */
    record HeldGroup(List<Future<EnqueueResult>> first, List<Future<EnqueueResult>> group) {
    }

    /**
     * The set-up of every group test: starts the {@link GroupEnqueue#MAX_IN_FLIGHT} calls that the
     * gate holds, then one call of kind {@code mail} per payload, and waits until those all wait to
     * go as one group. The caller then opens the gate ({@code gated.release}).
     */
    static HeldGroup holdAGroup(GatedDataSource gated, PostgresJobQueue queue, ExecutorService pool, List<String> payloads)
            throws InterruptedException {
        List<Future<EnqueueResult>> first = new ArrayList<>();
        for (int i = 0; i < GroupEnqueue.MAX_IN_FLIGHT; i++) {
            first.add(pool.submit(() -> queue.enqueue(JobRequest.of("mail", "{\"held\":true}"))));
        }
        assertThat(gated.held.await(10, TimeUnit.SECONDS)).isTrue();
        List<Future<EnqueueResult>> group = new ArrayList<>();
        for (String payload : payloads) {
            group.add(pool.submit(() -> queue.enqueue(JobRequest.of("mail", payload))));
        }
        await(() -> waitingIn(queue) == payloads.size());
        return new HeldGroup(first, group);
    }

    /** The payloads {@code {"n":1}} to {@code {"n":count}}, in a list a test may change. */
    static List<String> numbered(int count) {
        List<String> payloads = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            payloads.add("{\"n\":" + i + "}");
        }
        return payloads;
    }

    private long count() {
        return count("SELECT count(*) FROM opskit.jobs");
    }

    private static int waitingIn(PostgresJobQueue queue) {
        return queue.groupEnqueue().waitingCount();
    }

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.sleep(5);
        }
    }

    /**
     * Holds the first {@link GroupEnqueue#MAX_IN_FLIGHT} getConnection() calls until released, so
     * the calls that arrive meanwhile must wait and form one group; can fail the next one; counts
     * the others.
     */
    static final class GatedDataSource implements DataSource {
        final DataSource delegate;
        final CountDownLatch held = new CountDownLatch(GroupEnqueue.MAX_IN_FLIGHT);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger connections = new AtomicInteger();
        volatile boolean failNext;
        /** Thrown once by the next group statement (the one that unnests arrays), then cleared. */
        volatile Exception failGroupStatement;

        GatedDataSource(DataSource delegate) {
            this.delegate = delegate;
        }

        @Override
        public Connection getConnection() throws SQLException {
            boolean hold;
            synchronized (this) {
                hold = held.getCount() > 0;
                if (hold) {
                    held.countDown();
                }
            }
            if (hold) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new SQLException(e);
                }
                return delegate.getConnection();
            }
            if (failNext) {
                failNext = false;
                throw new SQLException("server unreachable (test)", "08001");
            }
            connections.incrementAndGet();
            Connection real = delegate.getConnection();
            return (Connection) java.lang.reflect.Proxy.newProxyInstance(Connection.class.getClassLoader(),
                    new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                        Exception fail = failGroupStatement;
                        if (fail != null && method.getName().equals("prepareStatement") && ((String) args[0]).contains("unnest")) {
                            failGroupStatement = null;
                            throw fail;
                        }
                        try {
                            return method.invoke(real, args);
                        } catch (java.lang.reflect.InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }

        @Override
        public Connection getConnection(String user, String password) throws SQLException {
            return getConnection();
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {
        }

        @Override
        public void setLoginTimeout(int seconds) {
        }

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public Logger getParentLogger() {
            return Logger.getGlobal();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            throw new SQLException("not a wrapper");
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return false;
        }
    }
}
