package dev.opskit.jobqueue.internal;

import dev.opskit.jobqueue.CatchUp;
import dev.opskit.jobqueue.Schedule;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What one evaluation of a schedule does: the due times to enqueue now, how many it skips
 * (catch-up), and the next due time after them. Shared by the PostgreSQL scheduler and the
 * in-memory fake, so both make the same decisions.
 *
 * @param enqueue due times to enqueue, oldest first; empty when nothing is due
 * @param missed due times skipped (catch-up {@code ONCE}: all but the latest of those more than
 *               {@link Schedule#LATE_GRACE} late; {@code ALL}: beyond {@link Schedule#MAX_CATCH_UP})
 * @param missedAtLeast true when the count stopped at {@link #SCAN_LIMIT} and more were skipped
 * @param last the latest due time considered (the new "last due" when something is enqueued)
 * @param next the first due time after {@code now}, or null when the schedule never fires again
 */
public record DuePlan(List<Instant> enqueue, long missed, boolean missedAtLeast, @Nullable Instant last,
                      @Nullable Instant next) {
    /** Due times counted one by one before the rest of a long outage is skipped without counting. */
    public static final int SCAN_LIMIT = 1_000_000;

    /**
     * Plans a schedule whose last due time (enqueued or skipped) is {@code from}, at {@code now}.
     */
    public static DuePlan plan(Schedule s, Instant from, Instant now) {
        boolean all = s.catchUpPolicy() == CatchUp.ALL;
        // ONCE keeps what is merely late (an evaluation delayed by load or a pause), collapses what is older
        Instant graceStart = now.minus(Schedule.LATE_GRACE);
        ArrayDeque<Instant> kept = new ArrayDeque<>();
        long total = 0;
        boolean atLeast = false;
        Instant t = from;
        Instant due;
        while ((due = s.nextAfter(t)) != null && !due.isAfter(now)) {
            total++;
            kept.addLast(due);
            if (all ? kept.size() > Schedule.MAX_CATCH_UP : kept.size() > 1 && !kept.peekFirst().isAfter(graceStart)) {
                kept.removeFirst();
            }
            t = due;
            if (total == SCAN_LIMIT) {
                // a second-by-second schedule after weeks down: skip to the last day without counting each
                Instant jump = now.minus(Duration.ofDays(1));
                if (jump.isAfter(t)) {
                    t = jump;
                    atLeast = true;
                }
            }
        }
        List<Instant> enqueue = List.copyOf(kept);
        return new DuePlan(enqueue, total - enqueue.size(), atLeast, enqueue.isEmpty() ? null : kept.getLast(), due);
    }
}
