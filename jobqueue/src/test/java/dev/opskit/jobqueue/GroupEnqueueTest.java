package dev.opskit.jobqueue;

import dev.opskit.core.testing.PostgresExtension;
import dev.opskit.core.testing.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

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
@ExtendWith(PostgresExtension.class)
class GroupEnqueueTest {
    private final TestDatabase db;

    GroupEnqueueTest(TestDatabase db) {
        this.db = db;
        PostgresJobQueue.builder(db.dataSource()).build().installSchema();
    }

    @BeforeEach
    void empty() {
        db.execute("TRUNCATE opskit.jobs, opskit.finished_jobs, opskit.dead_letters CASCADE");
    }

    @Test
    void sixteenThreadsEnqueueingAtOnceEachGetTheIdOfTheirOwnJob() throws Exception {
        PostgresJobQueue queue = PostgresJobQueue.builder(db.dataSource()).build();
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
        List<Future<EnqueueResult>> first = startHeldCalls(queue, pool);
        assertThat(gated.held.await(10, TimeUnit.SECONDS)).isTrue();
        List<Future<EnqueueResult>> group = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            String payload = i == 3 ? "{\"n\":3,\"bad\":true}" : "{\"n\":" + i + "}";
            group.add(pool.submit(() -> queue.enqueue(JobRequest.of("mail", payload))));
        }
        await(() -> waitingIn(queue) == 5);
        gated.release.countDown();
        for (Future<EnqueueResult> f : first) {
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
            List<Future<EnqueueResult>> first = startHeldCalls(queue, pool);
            assertThat(gated.held.await(10, TimeUnit.SECONDS)).isTrue();
            List<Future<EnqueueResult>> group = new ArrayList<>();
            for (int i = 1; i <= 5; i++) {
                String payload = "{\"n\":" + i + "}";
                group.add(pool.submit(() -> queue.enqueue(JobRequest.of("mail", payload))));
            }
            await(() -> waitingIn(queue) == 5);
            gated.release.countDown();
            for (Future<EnqueueResult> f : first) {
                assertThat(f.get(30, TimeUnit.SECONDS).inserted()).isTrue();
            }
            for (Future<EnqueueResult> f : group) {
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
        List<Future<EnqueueResult>> first = startHeldCalls(queue, pool);
        assertThat(gated.held.await(10, TimeUnit.SECONDS)).isTrue();
        List<Future<EnqueueResult>> group = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            group.add(pool.submit(() -> queue.enqueue(JobRequest.of("mail", "{}"))));
        }
        await(() -> waitingIn(queue) == 3);
        gated.failNext = true;
        gated.release.countDown();
        for (Future<EnqueueResult> f : first) {
            f.get(30, TimeUnit.SECONDS);
        }
        for (Future<EnqueueResult> f : group) {
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
        List<Future<EnqueueResult>> first = startHeldCalls(queue, pool);
        assertThat(gated.held.await(10, TimeUnit.SECONDS)).isTrue();
        String big = "\"" + "x".repeat(1_500_000) + "\"";
        List<Future<EnqueueResult>> bigOnes = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String payload = "{\"n\":" + i + ",\"text\":" + big + "}";
            bigOnes.add(pool.submit(() -> queue.enqueue(JobRequest.of("mail", payload))));
        }
        await(() -> waitingIn(queue) == 4);
        gated.release.countDown();
        for (Future<EnqueueResult> f : first) {
            f.get(30, TimeUnit.SECONDS);
        }
        Set<Long> ids = new HashSet<>();
        for (Future<EnqueueResult> f : bigOnes) {
            ids.add(f.get(60, TimeUnit.SECONDS).jobId());
        }
        pool.shutdown();
        assertThat(ids).hasSize(4);
        assertThat(queue.groupEnqueue().largestGroup()).as("two payloads of 1.5 million characters fit, three do not").isEqualTo(2);
        assertThat(count()).isEqualTo(4 + GroupEnqueue.MAX_IN_FLIGHT);
    }

    /** Starts the calls that the gated data source holds in getConnection(). */
    private static List<Future<EnqueueResult>> startHeldCalls(PostgresJobQueue queue, ExecutorService pool) {
        List<Future<EnqueueResult>> calls = new ArrayList<>();
        for (int i = 0; i < GroupEnqueue.MAX_IN_FLIGHT; i++) {
            calls.add(pool.submit(() -> queue.enqueue(JobRequest.of("mail", "{\"held\":true}"))));
        }
        return calls;
    }

    private long count() throws SQLException {
        try (Connection c = db.dataSource().getConnection(); java.sql.Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT count(*) FROM opskit.jobs")) {
            rs.next();
            return rs.getLong(1);
        }
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
