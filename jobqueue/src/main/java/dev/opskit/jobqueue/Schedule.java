package dev.opskit.jobqueue;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A recurring job, declared in code on {@link Workers.Builder#schedule(Schedule)} (or
 * {@code InMemoryJobQueue.schedule}): at each due time one job is enqueued from the template.
 *
 * <pre>{@code
 * Workers.builder(queue)
 *         .schedule(Schedule.cron("nightly-report", "0 3 * * *", ZoneId.of("Europe/Berlin"),
 *                 JobRequest.builder("report").payload("{\"type\":\"nightly\"}").build()))
 *         .schedule(Schedule.every("poll-provider", Duration.ofMinutes(5), JobRequest.of("poll", "{}"))
 *                 .catchUp(CatchUp.ALL))
 *         .start();
 * }</pre>
 *
 * <p>Exactly one job per schedule and due time, however many worker processes declare it: the
 * worker that moves the schedule's row from its last due time to the next one (a compare-and-set
 * in the database) enqueues the job in the same transaction; the others find the row moved or
 * locked and enqueue nothing. Each job also carries the unique key {@code schedule:<name>@<due>}
 * (read back with {@link #dueTimeOf(Job)}) and asks to run at its due time, which, being past,
 * means at once.
 *
 * <p>Due times are computed on the workers' clock ({@link Workers.Builder#clock}), so keep hosts
 * on NTP: a skewed clock moves when a job is enqueued, never how many are. Interval schedules
 * ({@link #every}) fire at whole multiples of the interval since 1970-01-01T00:00Z (hourly at the
 * top of each UTC hour), so every process agrees on them without talking to the others. A
 * schedule first declared at time T fires at its first due time after T. Immutable.
 */
public final class Schedule {
    /** The most jobs {@link CatchUp#ALL} enqueues for the missed due times of one schedule: 1000. */
    public static final int MAX_CATCH_UP = 1000;
    /**
     * Due times at most this late are always enqueued, whatever the catch-up policy: 10 s. They were
     * not missed by an outage but delayed (a slow evaluation, a pause, a worker's start); only due
     * times older than this are collapsed by {@link CatchUp#ONCE}.
     */
    public static final Duration LATE_GRACE = Duration.ofSeconds(10);
    /** A schedule no running worker declared for this long is listed as not declared: 5 minutes. */
    public static final Duration STALE_AFTER = Duration.ofMinutes(5);
    /** A schedule no running worker declared for this long has its row deleted: 7 days. */
    public static final Duration FORGET_AFTER = Duration.ofDays(7);
    /** The shortest interval of {@link #every}: 1 second. */
    public static final Duration MIN_INTERVAL = Duration.ofSeconds(1);
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}");

    private final String name;
    private final JobRequest template;
    private final CatchUp catchUp;
    private final @Nullable CronExpression cron;   // null for every()
    private final @Nullable Duration interval;     // null for cron()

    private Schedule(String name, JobRequest template, CatchUp catchUp, @Nullable CronExpression cron, @Nullable Duration interval) {
        this.name = name;
        this.template = template;
        this.catchUp = catchUp;
        this.cron = cron;
        this.interval = interval;
    }

    /**
     * A schedule on a cron expression in {@code zone}: 5 fields ({@code minute hour day-of-month
     * month day-of-week}) or 6 with seconds first, or a macro ({@code @daily} and so on); see the
     * module README for the syntax, day-of-month/day-of-week semantics and daylight-saving rules.
     *
     * @param template the job to enqueue at each due time (kind, queue, payload, priority, max attempts);
     *                 it must have no unique key, run-at, delay or replay link (the schedule sets them)
     * @throws IllegalArgumentException for a bad name or template, or a bad expression (the message names
     *         the expression, the field and the character position)
     */
    public static Schedule cron(String name, String expression, ZoneId zone, JobRequest template) {
        requireName(name);
        Objects.requireNonNull(expression, "cron expression of schedule '" + name + "' must not be null");
        Objects.requireNonNull(zone, "zone of schedule '" + name + "' must not be null");
        CronExpression cron;
        try {
            cron = CronExpression.parse(expression, zone);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("schedule '" + name + "': " + e.getMessage(), e);
        }
        return new Schedule(name, requireTemplate(name, template), CatchUp.ONCE, cron, null);
    }

    /** {@link #cron(String, String, ZoneId, JobRequest)} in UTC. */
    public static Schedule cron(String name, String expression, JobRequest template) {
        return cron(name, expression, ZoneId.of("UTC"), template);
    }

    /**
     * A schedule every {@code interval}, at whole multiples of it since 1970-01-01T00:00Z.
     *
     * @param interval at least {@link #MIN_INTERVAL}, in whole milliseconds
     * @throws IllegalArgumentException for a bad name, template or interval
     */
    public static Schedule every(String name, Duration interval, JobRequest template) {
        requireName(name);
        Objects.requireNonNull(interval, "interval of schedule '" + name + "' must not be null");
        if (interval.compareTo(MIN_INTERVAL) < 0) {
            throw new IllegalArgumentException("interval of schedule '" + name + "' must be at least 1 s, but was " + interval);
        }
        if (interval.toNanos() % 1_000_000 != 0) {
            throw new IllegalArgumentException("interval of schedule '" + name + "' must be whole milliseconds, but was " + interval);
        }
        return new Schedule(name, requireTemplate(name, template), CatchUp.ONCE, null, interval);
    }

    /** This schedule with another catch-up policy; default {@link CatchUp#ONCE}. */
    public Schedule catchUp(CatchUp policy) {
        return new Schedule(name, template, Objects.requireNonNull(policy, "catchUp must not be null"), cron, interval);
    }

    /** The name, unique among the schedules of a schema. */
    public String name() {
        return name;
    }

    /** The job enqueued at each due time (without the due time's unique key and run-at). */
    public JobRequest template() {
        return template;
    }

    /** What happens to due times missed while no worker ran. */
    public CatchUp catchUpPolicy() {
        return catchUp;
    }

    /** How it recurs, as stored and listed: {@code cron <expression> <zone>} or {@code every <ISO-8601 duration>}. */
    public String spec() {
        return cron != null ? "cron " + cron.expression().strip() + " " + cron.zone().getId() : "every " + interval;
    }

    /**
     * The first due time strictly after {@code after}, or null when the expression never fires again
     * (within 400 years). Thread-safe.
     */
    public @Nullable Instant nextAfter(Instant after) {
        Objects.requireNonNull(after, "after must not be null");
        if (cron != null) {
            return cron.next(after);
        }
        long ms = Objects.requireNonNull(interval, "a schedule without a cron expression has an interval").toMillis();
        long k = Math.floorDiv(after.toEpochMilli(), ms);
        Instant next = Instant.ofEpochMilli((k + 1) * ms);
        // toEpochMilli() truncates: an instant between two milliseconds still needs a due time after it
        return next.isAfter(after) ? next : Instant.ofEpochMilli((k + 2) * ms);
    }

    /** The job for one due time: the template with the unique key {@code schedule:<name>@<due>} and run-at the due time. */
    public JobRequest jobFor(Instant due) {
        Objects.requireNonNull(due, "due must not be null");
        return JobRequest.builder(template.kind()).queue(template.queue()).payload(template.payload())
                .priority(template.priority()).maxAttempts(template.maxAttempts())
                .uniqueKey(uniqueKey(name, due)).runAt(due).build();
    }

    /**
     * The due time a job was enqueued for by a schedule (read from its unique key
     * {@code schedule:<name>@<due>}), or empty for a job no schedule made. A handler uses it to know
     * which night a nightly report is for: the job's {@code runAt} is when it was enqueued.
     */
    public static java.util.Optional<Instant> dueTimeOf(Job job) {
        Objects.requireNonNull(job, "job must not be null");
        String key = job.uniqueKey();
        if (key == null) {
            return java.util.Optional.empty();
        }
        int at = key.lastIndexOf('@');
        if (at < 0 || !key.startsWith("schedule:")) {
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.of(Instant.parse(key.substring(at + 1)));
        } catch (java.time.format.DateTimeParseException e) {
            return java.util.Optional.empty();
        }
    }

    /** The unique key of a schedule's job for one due time. */
    static String uniqueKey(String name, Instant due) {
        return "schedule:" + name + "@" + due;
    }

    private static void requireName(String name) {
        Objects.requireNonNull(name, "schedule name must not be null");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("schedule name must be 1-100 characters of A-Z a-z 0-9 _ . : - starting with a"
                    + " letter or digit, but was '" + JobRequest.abbreviate(name) + "'");
        }
    }

    private static JobRequest requireTemplate(String name, JobRequest template) {
        Objects.requireNonNull(template, "template of schedule '" + name + "' must not be null");
        String bad = template.uniqueKey().isPresent() ? "a unique key" : template.runAt().isPresent() ? "a run-at"
                : !template.delay().isZero() ? "a delay" : template.replayOf().isPresent() ? "a replay link" : null;
        if (bad != null) {
            throw new IllegalArgumentException("template of schedule '" + name + "' must not have " + bad
                    + " (each due time's job gets the unique key schedule:" + name + "@<due> and runs at its due time), but was "
                    + template);
        }
        return template;
    }

    @Override
    public String toString() {
        return "Schedule[" + name + ": " + spec() + ", kind " + template.kind() + ", queue " + template.queue()
                + ", catch-up " + catchUp + "]";
    }
}
