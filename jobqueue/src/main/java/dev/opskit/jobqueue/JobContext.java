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
}
