package dev.opskit.deadletter;

import dev.opskit.core.schema.SchemaModule;

/**
 * The dead-letter tables ({@code dead_letters}, {@code dead_letter_replay_runs}) as a schema module.
 *
 * <pre>{@code
 * SchemaInstaller.forSchema(dataSource, "opskit").install(DeadLetterSchema.MODULE);
 * }</pre>
 *
 * {@link PostgresDeadLetterStore.Builder#installSchema(boolean)} does this for you (default on).
 */
public final class DeadLetterSchema {
    /** Module {@code deadletter}, its scripts beside this class. */
    public static final SchemaModule MODULE = SchemaModule.of("deadletter", DeadLetterSchema.class,
            "V1__create_dead_letters.sql", "V2__error_history.sql");

    private DeadLetterSchema() {
    }
}
