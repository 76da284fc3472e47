package dev.opskit.migrationguard.internal;

import dev.opskit.migrationguard.Finding;
import dev.opskit.migrationguard.Report;
import dev.opskit.migrationguard.Rule;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * What the start-up gates (the Flyway callback, the Liquibase gate) decided in this JVM, since it
 * started. Held here rather than in a meter registry because a gate usually runs before the
 * application has bound its metrics; {@code MigrationGuardMetrics} reads these counts. Not API.
 */
public final class GateCounts {
    /** The gates that record here. */
    public static final List<String> GATES = List.of("flyway", "liquibase");

    private static final Map<String, LongAdder> PASSED = adders();
    private static final Map<String, LongAdder> BLOCKED = adders();
    private static final Map<Rule, LongAdder> BLOCKING_FINDINGS = new ConcurrentHashMap<>();
    private static final List<Consumer<Rule>> NEW_RULE_LISTENERS = new CopyOnWriteArrayList<>();

    private GateCounts() {
    }

    private static Map<String, LongAdder> adders() {
        Map<String, LongAdder> m = new ConcurrentHashMap<>();
        GATES.forEach(g -> m.put(g, new LongAdder()));
        return m;
    }

    /** Records one check by {@code gate}: blocked when the report has a blocking finding. */
    public static void record(String gate, Report report) {
        LongAdder checks = (report.hasBlocking() ? BLOCKED : PASSED).get(gate);
        if (checks == null) {
            throw new IllegalArgumentException("unknown gate '" + gate + "'; known: " + GATES);
        }
        for (Finding f : report.blocking()) {
            boolean[] added = {false};
            BLOCKING_FINDINGS.computeIfAbsent(f.rule(), r -> {
                added[0] = true;
                return new LongAdder();
            }).increment();
            if (added[0]) {
                NEW_RULE_LISTENERS.forEach(l -> l.accept(f.rule()));
            }
        }
        checks.increment();
    }

    /** Checks by {@code gate} that passed ({@code blocked} false) or blocked. */
    public static long checks(String gate, boolean blocked) {
        LongAdder a = (blocked ? BLOCKED : PASSED).get(gate);
        return a == null ? 0 : a.sum();
    }

    /** Blocking findings of {@code rule} over all gates. */
    public static long blockingFindings(Rule rule) {
        LongAdder a = BLOCKING_FINDINGS.get(rule);
        return a == null ? 0 : a.sum();
    }

    /** The rules with at least one blocking finding so far. */
    public static Set<Rule> rulesSeen() {
        return Set.copyOf(BLOCKING_FINDINGS.keySet());
    }

    /** Called once for each rule the first time it blocks (after {@link #rulesSeen()} would list it). */
    public static void onNewRule(Consumer<Rule> listener) {
        NEW_RULE_LISTENERS.add(listener);
    }
}
