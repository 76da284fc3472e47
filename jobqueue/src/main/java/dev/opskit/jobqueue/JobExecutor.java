package dev.opskit.jobqueue;

import dev.opskit.jobqueue.internal.Metrics;
import dev.opskit.jobqueue.internal.Outcome;
import dev.opskit.jobqueue.internal.OutcomePolicy;
import dev.opskit.jobqueue.internal.Tracing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;

/**
 * Runs one claimed job on its handler, on a worker thread of its queue: the handler's deadline is
 * set when it starts (the {@link LeaseKeeper}'s sweep interrupts it past that), the
 * {@link OutcomePolicy} decides what the ending means, the queue's slot is freed, and the outcome
 * goes to the {@link Completer} to be stored.
 */
final class JobExecutor {
    private static final Logger log = LoggerFactory.getLogger(JobExecutor.class);

    /** A registered handler and its timeout (the default one filled in by the builder). */
    record Handler(JobHandler handler, Duration timeout) {
    }

    private final Map<String, Handler> handlers;
    private final OutcomePolicy policy;
    private final String workerId;
    private final Metrics metrics;
    private final Completer completer;

    JobExecutor(Map<String, Handler> handlers, OutcomePolicy policy, String workerId, Metrics metrics, Completer completer) {
        this.handlers = Map.copyOf(handlers);
        this.policy = policy;
        this.workerId = workerId;
        this.metrics = metrics;
        this.completer = completer;
    }

    java.util.Set<String> kinds() {
        return handlers.keySet();
    }

    void run(Execution e) {
        if (!e.begin()) {
            return; // handed back by a shutdown before it started
        }
        Job job = e.job();
        Handler h = handlers.get(job.kind());
        long start = System.nanoTime();
        Outcome outcome = null;
        try {
            if (e.cancelled()) {
                // cancelled after the claim, before a thread picked it up: it does not start
                e.handlerEnded();
                outcome = policy.cancelled(job, null, workerId);
            } else if (h == null) {
                outcome = policy.noHandler(job, workerId);
            } else {
                e.deadline = start + h.timeout().toNanos();
                // the handler runs in a child span of the code that enqueued the job (no-op without OpenTelemetry)
                Tracing.JobSpan span = Tracing.start(job, e.claimed.traceContext(), workerId);
                Throwable thrown = null;
                try {
                    try {
                        h.handler().handle(e);
                    } catch (Throwable t) {
                        thrown = t;
                        if (t instanceof Error && !(t instanceof AssertionError) && !(t instanceof StackOverflowError)) {
                            log.error("{} - job {} ({}): handler threw an Error", workerId, job.id(), job.kind(), t);
                        }
                    }
                    // A cancel that reached the handler before it ended wins over whatever it did: it was told
                    // to stop, so neither a retry nor a success is trusted (a handler that swallowed the
                    // interrupt and returned may have stopped half-way). One that came later changes nothing.
                    if (e.handlerEnded()) {
                        outcome = policy.cancelled(job, thrown, workerId);
                    } else if (thrown == null) {
                        outcome = policy.success();
                    } else {
                        outcome = policy.failed(job, thrown, e.interruptedBy(), h.timeout(), workerId);
                    }
                } finally {
                    span.end(outcome == null ? null : outcome.type(), thrown);
                }
            }
        } finally {
            // The outcome is pending before the execution stops counting as started: the drain waits
            // for "nothing started and nothing pending", and must never see both between the two
            // (it would hand back a job that just succeeded, and it would run again).
            if (outcome != null) {
                e.runner.handlerEnded(e); // before the submit: the completer may store it at once
                completer.submit(e, outcome);
            }
            e.end();
            metrics.ran(e.runner.name, System.nanoTime() - start);
        }
        e.runner.releaseSlot();
    }
}
