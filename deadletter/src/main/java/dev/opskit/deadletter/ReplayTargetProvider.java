package dev.opskit.deadletter;

import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * Creates a {@link ReplayTarget} from configuration, found with {@link java.util.ServiceLoader}:
 * a jar that lists its implementation in
 * {@code META-INF/services/dev.opskit.deadletter.ReplayTargetProvider} gives the command line (and
 * {@link PostgresDeadLetterStore.Builder#loadReplayTargetProviders()}) a target for its sources
 * without application code. Implementations need a public no-argument constructor.
 */
public interface ReplayTargetProvider {
    /**
     * The sources this provider's target serves: an exact source ({@code webhook:stripe}) or a
     * prefix ending in {@code *} ({@code jobqueue:*}).
     */
    String sourcePattern();

    /**
     * Creates the target.
     *
     * @throws RuntimeException when the target cannot be set up; the message should say what is missing
     */
    ReplayTarget create(Context context);

    /**
     * What a provider gets to build its target.
     *
     * @param dataSource the database of the dead-letter store
     * @param schema the opskit schema (validated identifier, for example {@code opskit})
     * @param settings extra settings (the command line passes the environment); never null
     */
    record Context(DataSource dataSource, String schema, Map<String, String> settings) {
        public Context {
            Objects.requireNonNull(dataSource, "dataSource must not be null");
            Objects.requireNonNull(schema, "schema must not be null");
            settings = settings == null ? Map.of() : Map.copyOf(settings);
        }
    }
}
