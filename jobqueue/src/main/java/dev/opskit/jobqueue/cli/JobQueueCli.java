package dev.opskit.jobqueue.cli;

import dev.opskit.core.cli.Args;
import dev.opskit.core.cli.Args.UsageException;
import dev.opskit.core.cli.Command;
import dev.opskit.core.cli.CommandDatabase;
import dev.opskit.core.jdbc.DatabaseUrl;
import dev.opskit.core.internal.json.JsonWriter;
import dev.opskit.core.schema.SchemaInstaller;
import dev.opskit.jobqueue.CancelResult;
import dev.opskit.jobqueue.DrainRecord;
import dev.opskit.jobqueue.Job;
import dev.opskit.jobqueue.JobState;
import dev.opskit.jobqueue.JobRequest;
import dev.opskit.jobqueue.PostgresJobQueue;
import dev.opskit.jobqueue.QueueControl;
import dev.opskit.jobqueue.QueueCounts;
import dev.opskit.jobqueue.ScheduleInfo;
import dev.opskit.jobqueue.RateLimit;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * {@code opskit jobs}, the operator's command line for the job queue: what waits and runs per
 * queue, one job with its error history, the jobs stuck in running (runbook: "processing for more
 * than 10 minutes"), and cancelling a waiting or running job. Run {@code --help} for the usage.
 *
 * <p>Exit codes: 0 done (for {@code cancel}: cancelled, or for a running job its cancel requested); 1
 * could not be done (database unreachable, unknown id, a job that already finished and so cannot be
 * cancelled), with the reason on standard error; 2 usage error.
 */
public final class JobQueueCli implements Command {
    static final String USAGE_TEXT = """
            usage: opskit jobs [--url URL] [--schema NAME] [--json] COMMAND [OPTIONS]

            commands:
              counts                      jobs per queue and state, how long the oldest due job waits,
                                          and whether the queue is paused or limited
              show ID                     one job: state, attempts, times, payload, error history
              stuck [--older-than AGE] [--limit N]
                                          jobs running for longer than AGE (default 10m), oldest
                                          first, at most N (default 100)
              cancel ID                   cancel a job: a waiting one at once; a running one is
                                          interrupted by its worker within a lease extension and
                                          ends cancelled (exit 1 when it already finished)
              pause QUEUE                 no worker on any machine starts a job of QUEUE until it is
                                          resumed; running jobs finish, enqueue still works
              resume QUEUE                let the workers start jobs of QUEUE again (at once)
              drains [--since AGE] [--limit N]
                                          graceful shutdowns of workers that finished within AGE
                                          (default 24h), newest first, at most N (default 100):
                                          was the last deploy clean? exit 1 when one was not
              schedules                   recurring jobs: spec, kind, queue, whether a running
                                          worker declares it, last and next due time

            options:
              --url URL      jdbc:postgresql://host:port/db?user=..&password=.. or
                             postgres://user:pass@host:port/db (default: $DATABASE_URL)
              --schema NAME  opskit schema (default: opskit)
              --json         JSON output instead of a table
              --help         this text
            AGE: 30s, 15m, 12h, 7d.

            exit codes: 0 done, 1 could not be done (reason on stderr), 2 usage error
            """;

    private static final Set<String> FLAGS = Set.of("--json", "--help", "-h");
    private static final Set<String> VALUED = Set.of("--url", "--schema", "--older-than", "--limit", "--since");
    private static final List<String> COMMANDS = List.of("counts", "show", "stuck", "cancel", "drains", "schedules", "pause", "resume");

    /** Used by {@link java.util.ServiceLoader}. */
    public JobQueueCli() {
    }

    @Override
    public String name() {
        return "jobs";
    }

    @Override
    public String summary() {
        return "counts|show|stuck|cancel|drains|schedules|pause|resume: the job queue in PostgreSQL ($DATABASE_URL or --url)";
    }

    @Override
    public int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
        String url = null;
        try {
            Args a = Args.parse(args, FLAGS, VALUED);
            if (a.wantsHelp()) {
                out.print(USAGE_TEXT);
                return OK;
            }
            List<String> positional = a.positional();
            String command = Args.subcommand(positional.isEmpty() ? null : positional.get(0), COMMANDS);
            List<String> operands = positional.subList(1, positional.size());
            Duration olderThan = Args.age("--older-than", a.value("--older-than", "10m"));
            int limit = (int) Math.min(Args.number("--limit", a.value("--limit", "100"), 1), 10_000);
            Duration since = Args.age("--since", a.value("--since", "24h"));
            if (!command.equals("stuck") && a.has("--older-than")) {
                throw new UsageException("--older-than is an option of 'stuck', not of '" + command + "'");
            }
            if (!command.equals("stuck") && !command.equals("drains") && a.has("--limit")) {
                throw new UsageException("--limit is an option of 'stuck' and 'drains', not of '" + command + "'");
            }
            if (!command.equals("drains") && a.has("--since")) {
                throw new UsageException("--since is an option of 'drains', not of '" + command + "'");
            }
            long id = 0;
            @Nullable String queueName = null;
            if (command.equals("show") || command.equals("cancel")) {
                if (operands.size() != 1) {
                    throw new UsageException(command + " needs exactly one job ID");
                }
                id = Args.number("ID", operands.get(0), 1);
            } else if (command.equals("pause") || command.equals("resume")) {
                if (operands.size() != 1) {
                    throw new UsageException(command + " needs exactly one QUEUE");
                }
                queueName = JobRequest.requireQueue(operands.get(0));
            } else if (!operands.isEmpty()) {
                throw new UsageException(command + " takes no arguments, but got " + operands);
            }
            url = CommandDatabase.url(a, env);
            String schema = SchemaInstaller.requireSchemaName(a.value("--schema", SchemaInstaller.DEFAULT_SCHEMA));
            PGSimpleDataSource ds = dataSource(url);
            CommandDatabase.requireTable(ds, schema, "jobs", "job-queue tables",
                    "wrong --schema, or the queue's installSchema() never ran there?", url);
            PostgresJobQueue queue = PostgresJobQueue.builder(ds).schema(schema).build();
            boolean json = a.has("--json");
            return switch (command) {
                case "counts" -> counts(queue.counts(), queue.controls(), json, out);
                case "pause", "resume" -> pause(queue, Objects.requireNonNull(queueName, "read with the operands"),
                        command.equals("pause"), json, out);
                case "show" -> show(queue, id, json, out, err);
                case "stuck" -> stuck(queue.stuckJobs(olderThan, limit), olderThan, json, out);
                case "drains" -> drains(queue.drains(since, limit), since, json, out);
                case "schedules" -> schedules(queue.schedules(), json, out);
                default -> cancel(queue, id, json, out, err);
            };
        } catch (RuntimeException e) {
            return CommandDatabase.failure(e, url, "run 'opskit jobs --help' for the usage", err);
        }
    }

    private static PGSimpleDataSource dataSource(String url) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        try {
            ds.setURL(DatabaseUrl.toJdbc(url));
        } catch (IllegalArgumentException e) {
            // the driver's message quotes the URL, password included
            throw new UsageException("bad database URL " + DatabaseUrl.redact(url) + ": "
                    + DatabaseUrl.redact(String.valueOf(e.getMessage()), url));
        }
        return ds;
    }

    private static int counts(List<QueueCounts> counts, List<QueueControl> controls, boolean json, PrintStream out) {
        Map<String, QueueControl> control = new java.util.TreeMap<>();
        controls.forEach(c -> control.put(c.queue(), c));
        // a paused or limited queue without jobs is listed too: it is what an operator looks for
        Map<String, QueueCounts> rows = new java.util.TreeMap<>();
        counts.forEach(q -> rows.put(q.queue(), q));
        control.keySet().forEach(q -> rows.putIfAbsent(q, new QueueCounts(q, 0, 0, 0, 0, 0, null)));
        if (json) {
            JsonWriter w = new JsonWriter().beginObject().name("queues").beginArray();
            for (QueueCounts q : rows.values()) {
                QueueControl c = control.get(q.queue());
                w.beginObject().name("queue").value(q.queue()).name("available").value(q.available())
                        .name("running").value(q.running()).name("completed").value(q.completed())
                        .name("cancelled").value(q.cancelled()).name("dead").value(q.dead()).name("oldest_available_seconds");
                if (q.oldestAvailableAge() == null) {
                    w.nullValue();
                } else {
                    w.value(q.oldestAvailableAge().toMillis() / 1000.0);
                }
                w.name("paused").value(c != null && c.paused()).name("max_running");
                if (c == null || c.maxRunning() == null) {
                    w.nullValue();
                } else {
                    w.value(c.maxRunning());
                }
                w.name("rate_limit");
                RateLimit r = c == null ? null : c.rateLimit();
                if (r == null) {
                    w.nullValue();
                } else {
                    w.beginObject().name("permits").value(r.permits()).name("period_ms").value(r.period().toMillis()).name("key_field");
                    if (r.keyField() == null) {
                        w.nullValue();
                    } else {
                        w.value(r.keyField());
                    }
                    w.endObject();
                }
                w.endObject();
            }
            out.println(w.endArray().endObject());
            return OK;
        }
        if (rows.isEmpty()) {
            out.println("no jobs");
            return OK;
        }
        out.printf("%-24s %10s %8s %10s %10s %8s  %-16s %-6s  %s%n", "QUEUE", "AVAILABLE", "RUNNING", "COMPLETED", "CANCELLED", "DEAD",
                "OLDEST DUE WAITS", "PAUSED", "LIMITS");
        for (QueueCounts q : rows.values()) {
            QueueControl c = control.get(q.queue());
            out.printf("%-24s %10d %8d %10d %10d %8d  %-16s %-6s  %s%n", q.queue(), q.available(), q.running(), q.completed(), q.cancelled(),
                    q.dead(), q.oldestAvailable().map(JobQueueCli::human).orElse("-"), c != null && c.paused() ? "PAUSED" : "-",
                    limits(c));
        }
        return OK;
    }

    static String limits(@Nullable QueueControl c) {
        if (c == null || !c.limited()) {
            return "-";
        }
        List<String> parts = new java.util.ArrayList<>();
        if (c.maxRunning() != null) {
            parts.add("max " + c.maxRunning() + " running");
        }
        RateLimit r = c.rateLimit();
        if (r != null) {
            parts.add(r.permits() + " starts per " + human(r.period(), true) + (r.keyField() == null ? "" : " per " + r.keyField()));
        }
        return String.join(", ", parts);
    }

    private static int pause(PostgresJobQueue queue, String name, boolean pause, boolean json, PrintStream out) {
        boolean changed = pause ? queue.pause(name) : queue.resume(name);
        if (json) {
            out.println(new JsonWriter().beginObject().name("queue").value(name).name("paused").value(pause)
                    .name("changed").value(changed).endObject());
        } else if (pause) {
            out.println(changed ? "paused queue " + name + ": no job of it starts until 'opskit jobs resume " + name + "'; running jobs finish"
                    : "queue " + name + " was already paused");
        } else {
            out.println(changed ? "resumed queue " + name : "queue " + name + " was not paused");
        }
        return OK;
    }

    private static int show(PostgresJobQueue queue, long id, boolean json, PrintStream out, PrintStream err) {
        Job job = queue.get(id).orElse(null);
        if (job == null) {
            err.println("error: no job with id " + id + " (never enqueued, or finished and pruned after the retention)");
            return FAILED;
        }
        Instant cancelRequested = job.state() == JobState.RUNNING ? queue.cancelRequestedAt(id).orElse(null) : null;
        if (json) {
            out.println(jobJson(new JsonWriter(), job, cancelRequested));
            return OK;
        }
        out.println("id:              " + job.id());
        out.println("queue:           " + job.queue());
        out.println("kind:            " + job.kind());
        out.println("state:           " + job.state().name().toLowerCase(java.util.Locale.ROOT));
        out.println("attempt:         " + job.attempt() + " of " + job.maxAttempts());
        out.println("priority:        " + job.priority());
        out.println("run at:          " + job.runAt());
        out.println("created at:      " + job.createdAt());
        line(out, "unique key:      ", job.uniqueKey());
        line(out, "worker:          ", job.workerId());
        line(out, "attempted at:    ", job.attemptedAt());
        line(out, "lease expires:   ", job.leaseExpiresAt());
        line(out, "cancel requested:", cancelRequested == null ? null : " " + cancelRequested + " (its worker interrupts it at its next lease extension)");
        line(out, "finished at:     ", job.finishedAt());
        line(out, "replay of:       ", job.replayOf());
        out.println("payload:         " + job.payload());
        out.println("errors:          " + job.errors());
        return OK;
    }

    private static int stuck(List<Job> jobs, Duration olderThan, boolean json, PrintStream out) {
        Instant now = Instant.now();
        if (json) {
            JsonWriter w = new JsonWriter().beginObject().name("older_than_seconds").value(olderThan.toSeconds())
                    .name("jobs").beginArray();
            jobs.forEach(j -> jobJson(w, j, null));
            out.println(w.endArray().endObject());
            return OK;
        }
        if (jobs.isEmpty()) {
            out.println("no job has been running for longer than " + human(olderThan));
            return OK;
        }
        out.printf("%-10s %-20s %-28s %-28s %8s  %s%n", "ID", "QUEUE", "KIND", "WORKER", "ATTEMPT", "RUNNING FOR");
        for (Job j : jobs) {
            out.printf("%-10d %-20s %-28s %-28s %8s  %s%n", j.id(), j.queue(), j.kind(), j.workerId(),
                    j.attempt() + "/" + j.maxAttempts(), j.attemptedAt() == null ? "-" : human(Duration.between(j.attemptedAt(), now)));
        }
        return OK;
    }

    private static int drains(List<DrainRecord> drains, Duration since, boolean json, PrintStream out) {
        boolean allClean = drains.stream().allMatch(DrainRecord::clean);
        if (json) {
            JsonWriter w = new JsonWriter().beginObject().name("since_seconds").value(since.toSeconds())
                    .name("all_clean").value(allClean).name("drains").beginArray();
            for (DrainRecord d : drains) {
                w.beginObject().name("worker_id").value(d.workerId()).name("finished_at").value(d.finishedAt().toString())
                        .name("clean").value(d.clean()).name("finished").value(d.finished())
                        .name("handed_back").value(d.handedBack()).name("interrupted").value(d.interrupted())
                        .name("took_ms").value(d.took().toMillis()).endObject();
            }
            out.println(w.endArray().endObject());
        } else if (drains.isEmpty()) {
            out.println("no worker shut down in the last " + human(since));
        } else {
            out.printf("%-26s %-36s %-7s %8s %11s %11s %9s%n", "FINISHED AT", "WORKER", "CLEAN", "FINISHED", "HANDED BACK",
                    "INTERRUPTED", "TOOK");
            for (DrainRecord d : drains) {
                out.printf("%-26s %-36s %-7s %8d %11d %11d %9s%n", d.finishedAt(), d.workerId(), d.clean() ? "yes" : "NO",
                        d.finished(), d.handedBack(), d.interrupted(), d.took().toMillis() + "ms");
            }
        }
        return allClean ? OK : FAILED;
    }

    private static int schedules(List<ScheduleInfo> schedules, boolean json, PrintStream out) {
        if (json) {
            JsonWriter w = new JsonWriter().beginObject().name("schedules").beginArray();
            for (ScheduleInfo s : schedules) {
                w.beginObject().name("name").value(s.name()).name("spec").value(s.spec()).name("kind").value(s.kind())
                        .name("queue").value(s.queue()).name("declared").value(s.declared());
                optional(w, "last_due", s.lastDue());
                optional(w, "next_due", s.nextDue());
                optional(w, "created_at", s.createdAt());
                optional(w, "seen_at", s.seenAt());
                w.endObject();
            }
            out.println(w.endArray().endObject());
        } else if (schedules.isEmpty()) {
            out.println("no schedules (none was ever declared by a running worker, or none in the last 7 days)");
        } else {
            out.printf("%-30s %-36s %-20s %-12s %-9s %-24s %-24s%n", "NAME", "SPEC", "KIND", "QUEUE", "DECLARED", "LAST DUE", "NEXT DUE");
            for (ScheduleInfo s : schedules) {
                out.printf("%-30s %-36s %-20s %-12s %-9s %-24s %-24s%n", s.name(), s.spec(), s.kind(), s.queue(),
                        s.declared() ? "yes" : "NO", s.lastDue() == null ? "-" : s.lastDue(), s.nextDue() == null ? "-" : s.nextDue());
            }
        }
        return OK;
    }

    private static int cancel(PostgresJobQueue queue, long id, boolean json, PrintStream out, PrintStream err) {
        CancelResult result = queue.requestCancel(id);
        switch (result) {
            case CANCELLED, CANCEL_REQUESTED -> {
                if (json) {
                    JsonWriter w = new JsonWriter().beginObject().name("id").value(id).name("result").value(result.code());
                    if (result == CancelResult.CANCELLED) {
                        w.name("cancelled").value(id); // the field of the first version of this command
                    }
                    out.println(w.endObject());
                } else {
                    out.println(result == CancelResult.CANCELLED ? "cancelled job " + id
                            : "cancel requested for running job " + id + ": its worker interrupts it at its next lease extension"
                            + " and it ends cancelled (completed, if its handler returned before); see 'opskit jobs show " + id + "'");
                }
                return OK;
            }
            case ALREADY_FINISHED -> {
                String state = queue.get(id).map(j -> j.state().name().toLowerCase(java.util.Locale.ROOT)).orElse("finished");
                err.println("error: job " + id + " is " + state + ", only a waiting or running job can be cancelled");
                return FAILED;
            }
            default -> {
                err.println("error: job " + id + " does not exist (never enqueued, or finished and pruned after the retention)");
                return FAILED;
            }
        }
    }

    /** One job as JSON; {@code cancelRequested}, when not null, adds {@code cancel_requested_at}. */
    private static JsonWriter jobJson(JsonWriter w, Job j, @Nullable Instant cancelRequested) {
        w.beginObject().name("id").value(j.id()).name("queue").value(j.queue()).name("kind").value(j.kind())
                .name("state").value(j.state().name().toLowerCase(java.util.Locale.ROOT))
                .name("attempt").value(j.attempt()).name("max_attempts").value(j.maxAttempts())
                .name("priority").value(j.priority()).name("run_at").value(j.runAt().toString())
                .name("created_at").value(j.createdAt().toString());
        optional(w, "unique_key", j.uniqueKey());
        optional(w, "worker_id", j.workerId());
        optional(w, "attempted_at", j.attemptedAt());
        optional(w, "lease_expires_at", j.leaseExpiresAt());
        optional(w, "finished_at", j.finishedAt());
        if (cancelRequested != null) {
            optional(w, "cancel_requested_at", cancelRequested);
        }
        w.name("replay_of");
        if (j.replayOf() == null) {
            w.nullValue();
        } else {
            w.value(j.replayOf());
        }
        // JSON text as strings: the writer embeds no raw JSON, and jq's fromjson reads them back
        return w.name("payload").value(j.payload()).name("errors").value(j.errors()).endObject();
    }

    private static void optional(JsonWriter w, String name, @Nullable Object value) {
        w.name(name);
        if (value == null) {
            w.nullValue();
        } else {
            w.value(value.toString());
        }
    }

    private static void line(PrintStream out, String label, @Nullable Object value) {
        if (value != null) {
            out.println(label + value);
        }
    }

    /** A period of a limit: milliseconds when it is not whole seconds. */
    static String human(Duration d, boolean precise) {
        return precise && d.toMillis() % 1000 != 0 ? d.toMillis() + "ms" : human(d);
    }

    static String human(Duration d) {
        long s = d.toSeconds();
        if (s < 120) {
            return s + "s";
        }
        if (s < 7_200) {
            return s / 60 + "m " + s % 60 + "s";
        }
        if (s < 172_800) {
            return s / 3_600 + "h " + s % 3_600 / 60 + "m";
        }
        return s / 86_400 + "d " + s % 86_400 / 3_600 + "h";
    }
}
