package dev.opskit.jobqueue;

import dev.opskit.deadletter.ReplayTarget;
import dev.opskit.deadletter.ReplayTargetProvider;

/**
 * Gives the dead-letter command line (and any store built with
 * {@code loadReplayTargetProviders()}) a replay target for {@code jobqueue:*} letters, found with
 * {@link java.util.ServiceLoader} through {@code META-INF/services}. Uses the store's data source
 * and schema.
 */
public final class JobQueueReplayTargetProvider implements ReplayTargetProvider {

    /** For {@link java.util.ServiceLoader}. */
    public JobQueueReplayTargetProvider() {
    }

    @Override
    public String sourcePattern() {
        return JobQueueReplayTarget.SOURCE_PATTERN;
    }

    @Override
    public ReplayTarget create(Context context) {
        return new JobQueueReplayTarget(PostgresJobQueue.builder(context.dataSource()).schema(context.schema()).build());
    }
}
