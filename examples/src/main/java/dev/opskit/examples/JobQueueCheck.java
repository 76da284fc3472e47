package dev.opskit.examples;

import dev.opskit.core.health.HealthCheck;
import dev.opskit.core.health.HealthResult;
import dev.opskit.jobqueue.Job;
import dev.opskit.jobqueue.JobQueue;
import dev.opskit.jobqueue.QueueCounts;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The job queue as a health check (the jobqueue module offers none yet): DEGRADED when a due job
 * has waited longer than {@code maxWait} (workers are not keeping up) or a job has been running
 * longer than {@code stuckAfter} (a stuck job, see the runbook); UP otherwise. Throws (DOWN) when
 * the queue cannot be read. Details: available and running jobs per queue.
 */
final class JobQueueCheck implements HealthCheck {
    private final JobQueue queue;
    private final Duration maxWait;
    private final Duration stuckAfter;

    JobQueueCheck(JobQueue queue, Duration maxWait, Duration stuckAfter) {
        this.queue = queue;
        this.maxWait = maxWait;
        this.stuckAfter = stuckAfter;
    }

    @Override
    public HealthResult check() {
        Map<String, Object> details = new LinkedHashMap<>();
        Duration oldest = Duration.ZERO;
        for (QueueCounts c : queue.counts()) {
            details.put(c.queue() + ".available", c.available());
            details.put(c.queue() + ".running", c.running());
            Duration age = c.oldestAvailable().orElse(Duration.ZERO);
            if (age.compareTo(oldest) > 0) {
                oldest = age;
            }
        }
        details.put("oldestDueMs", oldest.toMillis());
        List<Job> stuck = queue.stuckJobs(stuckAfter, 10);
        details.put("stuck", stuck.size());
        if (!stuck.isEmpty()) {
            details.put("reason", stuck.size() + " job(s) running for more than " + stuckAfter.toSeconds() + " s, first: "
                    + stuck.get(0).id() + " (" + stuck.get(0).kind() + ")");
            return HealthResult.degraded(details);
        }
        if (oldest.compareTo(maxWait) > 0) {
            details.put("reason", "a due job has waited " + oldest.toSeconds() + " s (more than " + maxWait.toSeconds() + " s)");
            return HealthResult.degraded(details);
        }
        return HealthResult.up(details);
    }
}
