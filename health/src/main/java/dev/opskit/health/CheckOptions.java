package dev.opskit.health;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * How one check is run and what it counts for: its groups, its timeout, its refresh interval,
 * whether it is critical for readiness and whether probes refresh it on request.
 *
 * <p>Immutable: every method returns a modified copy, so a base can be shared:
 * {@code CheckOptions.readiness().timeout(Duration.ofMillis(500)).critical(false)}.
 *
 * <p>Defaults: group {@link HealthGroup#READINESS}, timeout {@link #DEFAULT_TIMEOUT} (2 s), interval
 * {@link #DEFAULT_INTERVAL} (5 s), critical, not refreshed on request.
 */
public final class CheckOptions {
    /** Default time a check may take before it counts as DOWN: 2 seconds. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    /** Default time between two background runs of a check: 5 seconds. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);
    /** Longest timeout accepted: 60 seconds (a probe may wait this long for a fresh run). */
    public static final Duration MAX_TIMEOUT = Duration.ofSeconds(60);
    /** Shortest interval accepted: 10 milliseconds. */
    public static final Duration MIN_INTERVAL = Duration.ofMillis(10);

    private static final CheckOptions READINESS = new CheckOptions(Set.of(HealthGroup.READINESS),
            DEFAULT_TIMEOUT, DEFAULT_INTERVAL, true, false);

    private final Set<String> groups;
    private final Duration timeout;
    private final Duration interval;
    private final boolean critical;
    private final boolean refreshOnRequest;

    private CheckOptions(Set<String> groups, Duration timeout, Duration interval, boolean critical, boolean refreshOnRequest) {
        this.groups = groups;
        this.timeout = timeout;
        this.interval = interval;
        this.critical = critical;
        this.refreshOnRequest = refreshOnRequest;
    }

    /** The defaults: readiness group, 2 s timeout, 5 s interval, critical. */
    public static CheckOptions defaults() {
        return READINESS;
    }

    /** The defaults, in the readiness group. */
    public static CheckOptions readiness() {
        return READINESS;
    }

    /** The defaults, in the liveness group only. Only for checks that depend on nothing outside the process. */
    public static CheckOptions liveness() {
        return READINESS.groups(HealthGroup.LIVENESS);
    }

    /** The defaults, in the startup group only. */
    public static CheckOptions startup() {
        return READINESS.groups(HealthGroup.STARTUP);
    }

    /**
     * A copy in exactly these groups (replacing the current ones).
     *
     * @throws IllegalArgumentException when no group is given or a name is invalid ({@link HealthGroup#requireValid})
     */
    public CheckOptions groups(String... groupNames) {
        Objects.requireNonNull(groupNames, "groups must not be null");
        if (groupNames.length == 0) {
            throw new IllegalArgumentException("groups must name at least one group, but was empty");
        }
        Set<String> set = new LinkedHashSet<>();
        for (String g : groupNames) {
            set.add(HealthGroup.requireValid(g));
        }
        return new CheckOptions(Collections.unmodifiableSet(set), timeout, interval, critical, refreshOnRequest);
    }

    /** A copy that is also in {@code group}. */
    public CheckOptions addGroup(String group) {
        Set<String> set = new LinkedHashSet<>(groups);
        set.add(HealthGroup.requireValid(group));
        return new CheckOptions(Collections.unmodifiableSet(set), timeout, interval, critical, refreshOnRequest);
    }

    /**
     * A copy with this timeout: a run that has not answered after it is DOWN ("timed out after 500 ms")
     * and its thread is interrupted.
     *
     * @throws IllegalArgumentException unless {@code 0 < timeout <= 60 s}
     */
    public CheckOptions timeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout must not be null");
        if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_TIMEOUT) > 0) {
            throw new IllegalArgumentException("timeout must be greater than 0 and at most " + MAX_TIMEOUT.toSeconds()
                    + " s, but was " + timeout.toMillis() + " ms");
        }
        return new CheckOptions(groups, timeout, interval, critical, refreshOnRequest);
    }

    /**
     * A copy with this interval between the start of two background runs.
     *
     * @throws IllegalArgumentException when shorter than {@link #MIN_INTERVAL}
     */
    public CheckOptions interval(Duration interval) {
        Objects.requireNonNull(interval, "interval must not be null");
        if (interval.compareTo(MIN_INTERVAL) < 0) {
            throw new IllegalArgumentException("interval must be at least " + MIN_INTERVAL.toMillis()
                    + " ms, but was " + interval.toMillis() + " ms");
        }
        return new CheckOptions(groups, timeout, interval, critical, refreshOnRequest);
    }

    /**
     * A copy that is (or is not) critical. A non-critical check that is DOWN makes its groups
     * DEGRADED (HTTP 200) instead of DOWN (HTTP 503). Default: critical.
     */
    public CheckOptions critical(boolean critical) {
        return new CheckOptions(groups, timeout, interval, critical, refreshOnRequest);
    }

    /**
     * A copy that probes run afresh (instead of reading the last background result). Concurrent
     * probes share one run. Default: off.
     */
    public CheckOptions refreshOnRequest(boolean refreshOnRequest) {
        return new CheckOptions(groups, timeout, interval, critical, refreshOnRequest);
    }

    /** Unmodifiable, in the order given. */
    public Set<String> groups() {
        return groups;
    }

    public Duration timeout() {
        return timeout;
    }

    public Duration interval() {
        return interval;
    }

    public boolean critical() {
        return critical;
    }

    public boolean refreshOnRequest() {
        return refreshOnRequest;
    }

    @Override
    public String toString() {
        return "CheckOptions{groups=" + groups + ", timeout=" + timeout.toMillis() + " ms, interval=" + interval.toMillis()
                + " ms, critical=" + critical + ", refreshOnRequest=" + refreshOnRequest + "}";
    }
}
