package dev.opskit.core.shutdown;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * What a graceful shutdown did: when it started, how long it took, and per participant whether it
 * finished in time.
 *
 * @param started when {@link GracefulShutdown#shutdown(Duration)} was first called
 * @param took the time from start to the end of the last phase
 * @param deadline the total time that was allowed
 * @param participants one entry per registered participant, in phase order then registration order
 */
public record ShutdownReport(Instant started, Duration took, Duration deadline, List<Participant> participants) {

    public ShutdownReport {
        Objects.requireNonNull(started, "started must not be null");
        Objects.requireNonNull(took, "took must not be null");
        Objects.requireNonNull(deadline, "deadline must not be null");
        participants = List.copyOf(participants);
    }

    /** How one participant ended. */
    public enum Outcome {
        /** Returned within its time. */
        FINISHED,
        /** Still running when its time ran out; it was interrupted. */
        TIMED_OUT,
        /** Threw an exception. */
        FAILED
    }

    /**
     * One participant's outcome.
     *
     * @param error the exception's type and message when the outcome is {@code FAILED}, else {@code null}
     */
    public record Participant(String name, ShutdownPhase phase, Outcome outcome, Duration took, @Nullable String error) {
    }

    /** True when every participant finished in time. */
    public boolean clean() {
        return participants.stream().allMatch(p -> p.outcome() == Outcome.FINISHED);
    }

    /** A one-line summary for logs: {@code clean=true took=120ms deadline=25000ms [jobqueue DRAIN FINISHED 118ms, ...]}. */
    public String summary() {
        return "clean=" + clean() + " took=" + took.toMillis() + "ms deadline=" + deadline.toMillis() + "ms "
                + participants.stream()
                        .map(p -> p.name() + " " + p.phase() + " " + p.outcome() + " " + p.took().toMillis() + "ms"
                                + (p.error() == null ? "" : " (" + p.error() + ")"))
                        .collect(Collectors.joining(", ", "[", "]"));
    }
}
