package dev.opskit.migrationguard;

import dev.opskit.migrationguard.internal.GateCounts;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;

/**
 * Publishes what the start-up gates decided to Micrometer, counted since the JVM started (so a
 * check made by Flyway before the registry was bound is not lost):
 * <ul>
 *   <li>{@value #CHECKS} (counter, tags {@code gate} = {@code flyway} | {@code liquibase},
 *       {@code outcome} = {@code passed} | {@code blocked}): checks of pending migrations; a
 *       blocked one aborted {@code migrate} / {@code update};</li>
 *   <li>{@value #BLOCKING_FINDINGS} (counter, tag {@code rule}, the rule id such as
 *       {@code drop-column}): unapproved findings that blocked a gate.</li>
 * </ul>
 * The gates are {@link dev.opskit.migrationguard.flyway.MigrationGuardCallback} and
 * {@link dev.opskit.migrationguard.liquibase.LiquibaseGuard#checkUnrun}; checks made through
 * {@link MigrationGuard} directly, in tests or on the command line are not counted (the command
 * line's exit code is the CI signal). Bind with {@code new MigrationGuardMetrics().bindTo(registry)}.
 */
public final class MigrationGuardMetrics implements MeterBinder {
    /** Counter: gate checks, by gate and outcome. */
    public static final String CHECKS = "opskit.migrationguard.checks";
    /** Counter: findings that blocked a gate, by rule. */
    public static final String BLOCKING_FINDINGS = "opskit.migrationguard.blocking.findings";

    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry must not be null");
        for (String gate : GateCounts.GATES) {
            for (boolean blocked : new boolean[] {false, true}) {
                FunctionCounter.builder(CHECKS, gate, g -> GateCounts.checks(g, blocked))
                        .description("migration-guard start-up gate checks of pending migrations")
                        .tag("gate", gate)
                        .tag("outcome", blocked ? "blocked" : "passed")
                        .register(registry);
            }
        }
        GateCounts.onNewRule(rule -> registerRule(registry, rule));
        GateCounts.rulesSeen().forEach(rule -> registerRule(registry, rule));
    }

    private static void registerRule(MeterRegistry registry, Rule rule) {
        // registering the same rule twice (listener and snapshot racing) returns the existing meter
        FunctionCounter.builder(BLOCKING_FINDINGS, rule, GateCounts::blockingFindings)
                .description("migration-guard findings that blocked a start-up gate")
                .tag("rule", rule.id())
                .register(registry);
    }
}
