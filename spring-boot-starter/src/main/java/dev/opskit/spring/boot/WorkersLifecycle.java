package dev.opskit.spring.boot;

import dev.opskit.jobqueue.DrainReport;
import dev.opskit.jobqueue.Workers;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Starts the {@link Workers} when the context has been refreshed and drains them when it closes:
 * claiming stops at once, running jobs may finish until 70 % of the shutdown timeout, are then
 * interrupted, and whatever still runs at 90 % is handed back to the queue (see
 * {@link Workers#shutdown(Duration)}). The drain runs on its own thread
 * ({@code opskit-jobqueue-drain}) so other lifecycle beans of the same phase stop in parallel; the
 * context waits for it up to {@code spring.lifecycle.timeout-per-shutdown-phase}, which the
 * shutdown timeout never exceeds.
 *
 * <p>Phase {@link #PHASE} ({@code SmartLifecycle.DEFAULT_PHASE}): it stops before the embedded web
 * server's graceful shutdown and the web server itself, so HTTP still answers (status, probes) while
 * jobs drain, and before any bean is destroyed, so the {@code DataSource} is open until the last
 * outcome is stored. The report is logged once: {@code opskit job queue drain report: finished=...
 * handedBack=... interrupted=... took=...ms clean=...} (WARN when not clean).
 */
public final class WorkersLifecycle implements SmartLifecycle {
    /** The phase: {@link SmartLifecycle#DEFAULT_PHASE}, stopped among the first. */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE;
    private static final Logger log = LoggerFactory.getLogger(WorkersLifecycle.class);

    private final Workers workers;
    private final Duration shutdownTimeout;
    private volatile boolean running;
    private volatile @Nullable DrainReport report;

    /**
     * @param shutdownTimeout positive: how long the drain may take
     */
    public WorkersLifecycle(Workers workers, Duration shutdownTimeout) {
        this.workers = Objects.requireNonNull(workers, "workers must not be null");
        Objects.requireNonNull(shutdownTimeout, "shutdownTimeout must not be null");
        if (shutdownTimeout.isNegative() || shutdownTimeout.isZero()) {
            throw new IllegalArgumentException("shutdownTimeout must be greater than 0, but was " + shutdownTimeout);
        }
        this.shutdownTimeout = shutdownTimeout;
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        workers.start();
        running = true;
    }

    @Override
    public void stop() {
        drain();
    }

    @Override
    public void stop(Runnable callback) {
        if (!running) {
            callback.run();
            return;
        }
        Thread drainer = new Thread(() -> {
            try {
                drain();
            } finally {
                callback.run();
            }
        }, "opskit-jobqueue-drain");
        drainer.start();
    }

    private synchronized void drain() {
        if (!running) {
            return;
        }
        running = false;
        log.info("{} - context closing: draining the job queue workers within {} ms", workers.workerId(), shutdownTimeout.toMillis());
        DrainReport r = workers.shutdown(shutdownTimeout);
        report = r;
        String line = "{} - opskit job queue drain report: finished={} handedBack={} interrupted={} took={}ms clean={}";
        Object[] args = {workers.workerId(), r.finished(), r.handedBack(), r.interrupted(), r.took().toMillis(), r.clean()};
        if (r.clean()) {
            log.info(line, args);
        } else {
            log.warn(line, args);
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    /** The workers this starts and drains. */
    public Workers workers() {
        return workers;
    }

    /** How long the drain may take. */
    public Duration shutdownTimeout() {
        return shutdownTimeout;
    }

    /** The report of the drain on context close; empty before it. */
    public Optional<DrainReport> drainReport() {
        return Optional.ofNullable(report);
    }
}
