package dev.opskit.jobqueue;

/**
 * What an enqueue did.
 *
 * @param jobId the new job's id, or the id of the existing job with the same unique key
 * @param inserted false when a job of the same kind and unique key was still waiting or running, so nothing was inserted
 */
public record EnqueueResult(long jobId, boolean inserted) {
}
