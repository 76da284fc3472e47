package dev.opskit.jobqueue;

/**
 * What a {@link JobHandler} knows about the job it runs. Valid only during the handler call, on
 * its thread.
 */
public interface JobContext {

    /** The job as claimed (state {@link JobState#RUNNING}, {@link Job#attempt()} counting this attempt). */
    Job job();

    /** The payload, JSON text; shorthand for {@code job().payload()}. */
    default String payload() {
        return job().payload();
    }

    /** This attempt's number, starting at 1. */
    default int attempt() {
        return job().attempt();
    }

    /** True when this is the last attempt: a failure now sends the job to the dead letters. */
    default boolean lastAttempt() {
        return job().attempt() >= job().maxAttempts();
    }

    /** True once a graceful shutdown has started; long handlers may check it and stop early (throw to be handed back). */
    boolean shutdownRequested();

    /**
     * True once this job was cancelled while it runs ({@link JobQueue#requestCancel(long)}) and this
     * worker learned of it, which the PostgreSQL workers do at their next lease extension (every
     * third of the lease), interrupting the handler's thread at the same time. Long handlers that
     * do not block interruptibly may check it and stop early. From then on the job ends
     * {@link JobState#CANCELLED} however the handler ends (returns, throws, or ignores the
     * interrupt and finishes): it is never retried, postponed, handed back or dead-lettered.
     *
     * <p>The default answers false, for contexts made by tests of their own.
     */
    default boolean cancelled() {
        return false;
    }
}
