package dev.opskit.deadletter.internal;

import dev.opskit.deadletter.ReplayTarget;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Replay targets by source pattern: an exact source wins over a prefix ({@code jobqueue:*}), a
 * longer prefix over a shorter one. Thread-safe.
 */
public final class TargetRegistry {
    private final Map<String, ReplayTarget> exact = new ConcurrentHashMap<>();
    private final Map<String, ReplayTarget> prefixes = new ConcurrentHashMap<>();

    /** Checks a pattern: an exact source or a prefix ending in a single {@code *}. */
    public static String requirePattern(String sourcePattern) {
        Objects.requireNonNull(sourcePattern, "sourcePattern must not be null");
        int star = sourcePattern.indexOf('*');
        if (sourcePattern.isBlank() || (star >= 0 && star != sourcePattern.length() - 1)) {
            throw new IllegalArgumentException("sourcePattern must be a source or a prefix ending in a single '*', but was '"
                    + sourcePattern + "'");
        }
        return sourcePattern;
    }

    public void register(String sourcePattern, ReplayTarget target) {
        requirePattern(sourcePattern);
        Objects.requireNonNull(target, "target must not be null");
        if (sourcePattern.endsWith("*")) {
            prefixes.put(sourcePattern.substring(0, sourcePattern.length() - 1), target);
        } else {
            exact.put(sourcePattern, target);
        }
    }

    public Optional<ReplayTarget> resolve(String source) {
        ReplayTarget t = exact.get(source);
        if (t != null) {
            return Optional.of(t);
        }
        String best = null;
        for (String prefix : prefixes.keySet()) {
            if (source.startsWith(prefix) && (best == null || prefix.length() > best.length())) {
                best = prefix;
            }
        }
        return best == null ? Optional.empty() : Optional.ofNullable(prefixes.get(best));
    }

    /** The message for a letter whose source has no target. */
    public static String noTargetMessage(String source) {
        return "no replay target registered for source '" + source + "'; register one with registerReplayTarget(\""
                + source + "\", target) or put a ReplayTargetProvider for it on the classpath";
    }
}
