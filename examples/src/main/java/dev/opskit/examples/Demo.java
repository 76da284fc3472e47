package dev.opskit.examples;

import dev.opskit.breaker.CallRejectedException;
import dev.opskit.breaker.ProviderBreaker;
import dev.opskit.breaker.ProviderBreakers;
import dev.opskit.breaker.ProviderException;
import dev.opskit.jobqueue.JobContext;
import dev.opskit.jobqueue.JobQueue;
import dev.opskit.jobqueue.JobRequest;
import dev.opskit.jobqueue.Workers;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo's business: orders whose confirmation e-mail (queue {@code emails}, provider
 * {@code email}) and receipt OCR (queue {@code ocr}, provider {@code openai}) run as jobs, every
 * provider call going through its circuit breaker; and a "poison" job with a bug that sends it to
 * the dead letters until the bug is fixed.
 */
final class Demo {
    private static final Logger log = LoggerFactory.getLogger(Demo.class);

    static final String EMAIL_QUEUE = "emails";
    static final String OCR_QUEUE = "ocr";
    static final List<String> QUEUES = List.of(EMAIL_QUEUE, OCR_QUEUE);
    static final String SEND_EMAIL = "send-order-email";
    static final String OCR_RECEIPT = "ocr-receipt";
    static final String POISON = "demo-poison";
    static final int MAX_ATTEMPTS = 10;
    static final int POISON_ATTEMPTS = 3;
    static final int MAX_BATCH = 1000;

    private static final Pattern ORDER_ID = Pattern.compile("\"orderId\"\\s*:\\s*(\\d+)");

    private final DataSource dataSource;
    private final JobQueue queue;
    private final ProviderBreakers breakers;
    private final Map<String, SimulatedProvider> providers = new LinkedHashMap<>();
    private final AtomicBoolean poisonFixed = new AtomicBoolean();
    private final Map<String, AtomicLong> counters = new ConcurrentHashMap<>();

    Demo(DataSource dataSource, JobQueue queue, ProviderBreakers breakers) {
        this.dataSource = dataSource;
        this.queue = queue;
        this.breakers = breakers;
        providers.put("email", new SimulatedProvider("email", Duration.ofMillis(150)));
        providers.put("openai", new SimulatedProvider("openai", Duration.ofMillis(600)));
    }

    /** Registers the demo's handlers and queues on a workers builder. */
    Workers.Builder register(Workers.Builder workers) {
        return workers
                .handler(SEND_EMAIL, this::sendEmail, Duration.ofSeconds(20))
                .handler(OCR_RECEIPT, this::ocrReceipt, Duration.ofSeconds(30))
                .handler(POISON, this::poison, Duration.ofSeconds(10))
                .queue(EMAIL_QUEUE, 4)
                .queue(OCR_QUEUE, 2);
    }

    Map<String, SimulatedProvider> providers() {
        return providers;
    }

    @Nullable SimulatedProvider provider(String name) {
        return providers.get(name);
    }

    boolean poisonFixed() {
        return poisonFixed.get();
    }

    void fixPoison() {
        poisonFixed.set(true);
    }

    /** Counters of what the handlers did, by name (for the status page). */
    Map<String, Long> counters() {
        Map<String, Long> out = new java.util.TreeMap<>();
        counters.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    private void count(String name) {
        counters.computeIfAbsent(name, k -> new AtomicLong()).incrementAndGet();
    }

    // ------------------------------------------------------------------ enqueue

    /**
     * Creates {@code count} orders and, in the same transaction, the jobs for them: the job exists
     * only if its order does (a transactional enqueue).
     *
     * @return the new orders' ids
     */
    List<Long> createOrders(int count, boolean withEmail, boolean withOcr) throws SQLException {
        List<Long> ids = new ArrayList<>(count);
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO orders (customer, email) VALUES (?, ?) RETURNING id")) {
                List<JobRequest> jobs = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    long n = System.nanoTime() % 100_000;
                    insert.setString(1, "customer-" + n);
                    insert.setString(2, "customer-" + n + "@example.com");
                    long id;
                    try (ResultSet rs = insert.executeQuery()) {
                        rs.next();
                        id = rs.getLong(1);
                    }
                    ids.add(id);
                    String payload = "{\"orderId\":" + id + "}";
                    if (withEmail) {
                        jobs.add(JobRequest.builder(SEND_EMAIL).queue(EMAIL_QUEUE).payload(payload)
                                .maxAttempts(MAX_ATTEMPTS).uniqueKey("order-email:" + id).build());
                    }
                    if (withOcr) {
                        jobs.add(JobRequest.builder(OCR_RECEIPT).queue(OCR_QUEUE).payload(payload)
                                .maxAttempts(MAX_ATTEMPTS).uniqueKey("order-ocr:" + id).build());
                    }
                }
                queue.enqueueAll(c, jobs);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
        return ids;
    }

    /** Enqueues one job that fails on every attempt until {@link #fixPoison()}; returns its id. */
    long enqueuePoison() {
        return queue.enqueue(JobRequest.builder(POISON).queue(EMAIL_QUEUE)
                .payload("{\"orderId\":0,\"note\":\"this job hits a bug until POST /demo/poison/fix\"}")
                .maxAttempts(POISON_ATTEMPTS).build()).jobId();
    }

    // ------------------------------------------------------------------ handlers

    private void sendEmail(JobContext ctx) throws Exception {
        callProvider("email", Duration.ofSeconds(5), ctx);
        count("emails.sent");
    }

    private void ocrReceipt(JobContext ctx) throws Exception {
        callProvider("openai", Duration.ofSeconds(10), ctx);
        count("receipts.read");
    }

    private void poison(JobContext ctx) {
        if (!poisonFixed.get()) {
            count("poison.failed");
            throw new IllegalStateException("demo bug: order " + orderId(ctx.payload())
                    + " cannot be processed (attempt " + ctx.attempt() + " of " + ctx.job().maxAttempts() + ")");
        }
        count("poison.completed");
        log.info("job {} ({}): the bug is fixed, completed", ctx.job().id(), POISON);
    }

    /**
     * One provider call through its breaker. A 5xx answer is thrown as {@link ProviderException}
     * (a provider failure); an open breaker throws {@link CallRejectedException}, which the job
     * queue turns into a postponement that spends no attempt.
     */
    private void callProvider(String name, Duration timeout, JobContext ctx) throws Exception {
        SimulatedProvider provider = java.util.Objects.requireNonNull(providers.get(name), name);
        ProviderBreaker breaker = breakers.get(name);
        String request = ctx.job().kind() + " order " + orderId(ctx.payload());
        try {
            breaker.call(timeout, () -> {
                int status = provider.call(request);
                if (status >= 500) {
                    throw new ProviderException(name + " answered HTTP " + status, status);
                }
                return status;
            });
        } catch (CallRejectedException e) {
            count(name + ".rejected");
            throw e; // the job queue postpones the job by e.retryAfter(), without spending an attempt
        } catch (RuntimeException e) {
            count(name + ".failed");
            throw e;
        }
    }

    private static String orderId(String payload) {
        Matcher m = ORDER_ID.matcher(payload);
        return m.find() ? m.group(1) : "?";
    }
}
