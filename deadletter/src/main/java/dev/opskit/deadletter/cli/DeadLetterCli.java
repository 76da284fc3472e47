package dev.opskit.deadletter.cli;

import dev.opskit.core.cli.Args.UsageException;
import dev.opskit.core.cli.Command;
import dev.opskit.core.cli.CommandDatabase;
import dev.opskit.core.jdbc.DatabaseUrl;
import dev.opskit.core.internal.json.JsonText;
import dev.opskit.core.schema.SchemaInstaller;
import dev.opskit.deadletter.DeadLetter;
import dev.opskit.deadletter.DeadLetterPage;
import dev.opskit.deadletter.DeadLetterQuery;
import dev.opskit.deadletter.DeadLetterReason;
import dev.opskit.deadletter.DeadLetterStatus;
import dev.opskit.deadletter.PostgresDeadLetterStore;
import dev.opskit.deadletter.ReplayAllRequest;
import dev.opskit.deadletter.ReplayAllRun;
import dev.opskit.deadletter.ReplayProgress;
import dev.opskit.deadletter.ReplayResult;
import dev.opskit.deadletter.SourceStats;
import dev.opskit.deadletter.internal.HeadersJson;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * {@code opskit deadletters}, the operator's command line for dead letters: {@code list},
 * {@code show}, {@code replay}, {@code cleanup}, {@code purge}, {@code stats}. Run {@code --help}
 * for the usage.
 *
 * <p>Exit codes: 0 success; 1 something could not be done (database unreachable, unknown id, a
 * letter not replayed), with the reason on standard error; 2 usage error. Replay targets are found
 * with {@link java.util.ServiceLoader} ({@link dev.opskit.deadletter.ReplayTargetProvider}) on the
 * classpath; the job queue's jar provides one for {@code jobqueue:*}.
 */
public final class DeadLetterCli implements Command {

    static final String USAGE_TEXT = """
            usage: opskit deadletters [--url URL] [--schema NAME] [--json] COMMAND [OPTIONS]

            commands:
              list    [--source S] [--kind K] [--reason R] [--status dead|replayed|any]
                      [--since AGE|INSTANT] [--until AGE|INSTANT] [--limit N] [--after ID]
                                          list letters (default: waiting ones, oldest first, 50)
              show ID                     everything about one letter, with its stack trace
              replay ID...                replay these letters
              replay --all [--source S] [--kind K] [--reason R] [--rate N] [--dry-run] [--batch N]
                                          replay every waiting letter that matches now (resumes a
                                          run of the same filter that was killed)
              cleanup [--older-than AGE]  delete replayed letters (default: all of them)
              purge --older-than AGE [--keep N]
                                          delete letters that died more than AGE ago (any status);
                                          --keep N also deletes the oldest beyond the newest N
              stats                       waiting and replayed letters per source

            options:
              --url URL      jdbc:postgresql://host:port/db?user=..&password=.. or
                             postgres://user:pass@host:port/db (default: $DATABASE_URL)
              --schema NAME  opskit schema (default: opskit)
              --json         JSON output instead of a table
              --help         this text
            S: a source (webhook:stripe) or a prefix ending in * (jobqueue:*). AGE: 30s, 15m, 12h, 7d.
            INSTANT: 2026-11-23T03:00:00Z.

            exit codes: 0 success, 1 could not be done (reason on stderr), 2 usage error
            """;

    private static final Set<String> FLAGS = Set.of("--json", "--help", "-h", "--all", "--dry-run");
    private static final Set<String> VALUED = Set.of("--url", "--schema", "--source", "--kind", "--reason", "--status",
            "--since", "--until", "--limit", "--after", "--rate", "--batch", "--older-than", "--keep");
    private static final List<String> COMMANDS = List.of("list", "show", "replay", "cleanup", "purge", "stats");

    /** Used by {@link java.util.ServiceLoader}. */
    public DeadLetterCli() {
    }

    @Override
    public String name() {
        return "deadletters";
    }

    @Override
    public String summary() {
        return "list|show|replay|cleanup|purge|stats: dead letters in PostgreSQL ($DATABASE_URL or --url)";
    }

    @Override
    public int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
        return run(args.toArray(String[]::new), env, out, err);
    }

    /** Something could not be done: exit 1. */
    static final class FailedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        FailedException(String message) {
            super(message);
        }
    }

    /**
     * Runs one command and returns its exit code. Output goes to {@code out}, errors and progress to {@code err}.
     *
     * @param env the environment ({@code DATABASE_URL}); passed on to replay target providers
     */
    public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        String url = null;
        try {
            Args a = Args.parse(args);
            if (a.wantsHelp()) {
                out.print(USAGE_TEXT);
                return OK;
            }
            dev.opskit.core.cli.Args.subcommand(a.command(), COMMANDS);
            url = CommandDatabase.url(a.parsed, env);
            PGSimpleDataSource ds = dataSource(url);
            String schema = SchemaInstaller.requireSchemaName(a.value("--schema") == null ? "opskit" : a.value("--schema"));
            CommandDatabase.requireTable(ds, schema, "dead_letters", "dead-letter tables",
                    "nothing was ever dead-lettered there; wrong --schema?", url);
            try (PostgresDeadLetterStore store = PostgresDeadLetterStore.builder(ds).schema(schema)
                    .loadReplayTargetProviders(env).build()) {
                return new Commands(store, a, out, err).run();
            }
        } catch (RuntimeException e) {
            return CommandDatabase.failure(e, url, "run with --help for the usage", err);
        }
    }

    /**
     * A data source for {@code jdbc:postgresql://...} or {@code postgres[ql]://user:pass@host:port/db?params}.
     *
     * @throws UsageException naming the URL (password masked) when it is neither
     */
    static PGSimpleDataSource dataSource(String url) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        try {
            String jdbc = DatabaseUrl.toJdbc(url);
            ds.setURL(jdbc);
        } catch (IllegalArgumentException e) {
            // the driver's message quotes the URL, password included
            throw new UsageException("bad database URL " + mask(url) + ": " + redact(e.getMessage(), url));
        }
        return ds;
    }

    /** The URL with any password replaced by {@code ***}; null for null. */
    static @Nullable String mask(@Nullable String url) {
        return DatabaseUrl.redact(url);
    }

    /**
     * {@code text} with every password of {@code url} (and of its JDBC form) replaced by {@code ***};
     * {@code text} as it is when either is null (no message, or no URL yet).
     */
    static @Nullable String redact(@Nullable String text, @Nullable String url) {
        return text == null || url == null ? text : DatabaseUrl.redact(text, url);
    }

    static Duration age(String option, String text) {
        return dev.opskit.core.cli.Args.age(option, text);
    }

    static Instant instantOrAge(String option, String text, Instant now) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            try {
                return now.minus(age(option, text));
            } catch (UsageException u) {
                throw new UsageException(option + " must be an age like 24h or an instant like 2026-11-23T03:00:00Z, but was '"
                        + text + "'");
            }
        }
    }

    /** Parsed arguments (by core's {@link dev.opskit.core.cli.Args}): options anywhere, the rest positional. */
    static final class Args {
        private final dev.opskit.core.cli.Args parsed;
        final Set<String> values;
        final List<String> positional;

        private Args(dev.opskit.core.cli.Args parsed) {
            this.parsed = parsed;
            this.values = parsed.given();
            this.positional = parsed.positional();
        }

        static Args parse(String[] args) {
            return new Args(dev.opskit.core.cli.Args.parse(List.of(args), FLAGS, VALUED));
        }

        boolean flag(String name) {
            return parsed.has(name);
        }

        boolean wantsHelp() {
            return parsed.wantsHelp();
        }

        @Nullable String value(String name) {
            return parsed.has(name) ? parsed.value(name, "") : null;
        }

        /** The command, null when none was given ({@code run} rejects that before it opens the store). */
        @Nullable String command() {
            return positional.isEmpty() ? null : positional.get(0);
        }

        long number(String option, long min) {
            return dev.opskit.core.cli.Args.number(option, String.valueOf(value(option)), min);
        }
    }

    /** The commands, on an open store. */
    private static final class Commands {
        private final PostgresDeadLetterStore store;
        private final Args a;
        private final PrintStream out;
        private final PrintStream err;
        private final boolean json;

        Commands(PostgresDeadLetterStore store, Args a, PrintStream out, PrintStream err) {
            this.store = store;
            this.a = a;
            this.out = out;
            this.err = err;
            this.json = a.flag("--json");
        }

        int run() {
            String command = Objects.requireNonNull(a.command(), "the command was checked before the store was opened");
            return switch (command) {
                case "list" -> list();
                case "show" -> show();
                case "replay" -> a.flag("--all") ? replayAll() : replay();
                case "cleanup" -> cleanup();
                case "purge" -> purge();
                case "stats" -> stats();
                default -> throw new UsageException("unknown command '" + command + "'");
            };
        }

        private void allowOnly(String... options) {
            Set<String> allowed = new java.util.HashSet<>(Set.of("--url", "--schema", "--json"));
            allowed.addAll(List.of(options));
            for (String k : a.values) {
                if (!allowed.contains(k)) {
                    throw new UsageException("option " + k + " does not apply to '" + a.command()
                            + (a.flag("--all") ? " --all" : "") + "'");
                }
            }
        }

        private DeadLetterQuery.Builder filter(DeadLetterQuery.Builder b) {
            if (a.value("--source") != null) {
                b.source(a.value("--source"));
            }
            if (a.value("--kind") != null) {
                b.kind(a.value("--kind"));
            }
            if (a.value("--reason") != null) {
                b.reason(DeadLetterReason.fromCode(a.value("--reason")));
            }
            Instant now = Instant.now();
            if (a.value("--since") != null) {
                b.diedFrom(instantOrAge("--since", a.value("--since"), now));
            }
            if (a.value("--until") != null) {
                b.diedBefore(instantOrAge("--until", a.value("--until"), now));
            }
            return b;
        }

        private int list() {
            allowOnly("--source", "--kind", "--reason", "--status", "--since", "--until", "--limit", "--after");
            if (a.positional.size() > 1) {
                throw new UsageException("list takes no arguments, but got " + a.positional.subList(1, a.positional.size()));
            }
            DeadLetterQuery.Builder b = filter(DeadLetterQuery.builder());
            String status = a.value("--status");
            if (status != null) {
                b.status("any".equalsIgnoreCase(status) ? null : DeadLetterStatus.fromCode(status));
            }
            if (a.value("--limit") != null) {
                b.limit((int) Math.min(DeadLetterQuery.MAX_LIMIT, a.number("--limit", 1)));
            }
            if (a.value("--after") != null) {
                b.afterId(a.number("--after", 0));
            }
            DeadLetterPage page = store.list(b.build());
            if (json) {
                StringBuilder sb = new StringBuilder("{\"letters\":[");
                for (int i = 0; i < page.letters().size(); i++) {
                    if (i > 0) {
                        sb.append(',');
                    }
                    letterJson(sb, page.letters().get(i), false);
                }
                sb.append("],\"next_after_id\":");
                sb.append(page.nextAfterId().isPresent() ? String.valueOf(page.nextAfterId().getAsLong()) : "null");
                out.println(sb.append('}'));
            } else {
                List<String[]> rows = new ArrayList<>();
                rows.add(new String[] {"ID", "SOURCE", "KIND", "REASON", "ATTEMPTS", "DIED_AT", "STATUS", "ERROR"});
                for (DeadLetter l : page.letters()) {
                    rows.add(new String[] {String.valueOf(l.id()), l.source(), l.kind(), l.reason().code(),
                            String.valueOf(l.attempts()), l.diedAt().toString(), l.status().code(), shortError(l)});
                }
                table(rows);
                if (page.nextAfterId().isPresent()) {
                    out.println("(more: add --after " + page.nextAfterId().getAsLong() + ")");
                } else if (page.letters().isEmpty()) {
                    out.println("(no letters)");
                }
            }
            return OK;
        }

        private int show() {
            allowOnly();
            if (a.positional.size() != 2) {
                throw new UsageException("show takes exactly one letter id");
            }
            long id = id(a.positional.get(1));
            DeadLetter l = store.get(id).orElseThrow(() -> new FailedException("no dead letter with id " + id
                    + " in schema '" + store.schema() + "'"));
            if (json) {
                StringBuilder sb = new StringBuilder();
                letterJson(sb, l, true);
                out.println(sb);
                return OK;
            }
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("id", l.id());
            f.put("source", l.source());
            f.put("kind", l.kind());
            f.put("status", l.status().code());
            f.put("reason", l.reason().code() + (l.reasonDetail() == null ? "" : " (" + l.reasonDetail() + ")"));
            f.put("attempts", l.attempts());
            f.put("first failed at", l.firstFailedAt());
            f.put("last failed at", l.lastFailedAt());
            f.put("died at", l.diedAt());
            f.put("error type", l.errorType());
            f.put("cause type", l.causeType());
            f.put("message", l.message());
            f.put("idempotency key", l.idempotencyKey());
            f.put("replay of", l.replayOf());
            f.put("replay count", l.replayCount());
            f.put("last replayed at", l.lastReplayedAt());
            f.put("last replay ref", l.lastReplayRef());
            f.put("last replay error", l.lastReplayError());
            f.put("replay target", store.hasReplayTarget(l.source()) ? "registered" : "NONE for this source");
            f.put("headers", HeadersJson.stringMap(l.headers()));
            f.put("payload", l.payload());
            f.forEach((k, v) -> out.printf("%-18s %s%n", k + ":", v == null ? "-" : v));
            printErrorHistory(l.errorHistory());
            if (l.stackTrace() != null) {
                out.println("stack trace:");
                out.println(l.stackTrace());
            }
            return OK;
        }

        /** One line per earlier failure (its fields but the stack), the stack's lines indented below it. */
        private void printErrorHistory(String json) {
            Object parsed = JsonText.parse(json);
            List<?> entries = parsed instanceof List<?> list ? list : List.of(parsed);
            out.printf("%-18s %s%n", "error history:", entries.isEmpty() ? "-" : entries.size() + (entries.size() == 1 ? " entry" : " entries"));
            for (Object entry : entries) {
                if (!(entry instanceof Map<?, ?> fields)) {
                    out.println("  - " + entry);
                    continue;
                }
                StringBuilder line = new StringBuilder("  -");
                fields.forEach((k, v) -> {
                    if (!"stack".equals(k)) {
                        line.append(' ').append(k).append('=').append(v);
                    }
                });
                out.println(line);
                if (fields.get("stack") instanceof String stack) {
                    stack.lines().forEach(st -> out.println("      " + st.strip()));
                }
            }
        }

        private int replay() {
            allowOnly();
            if (a.positional.size() < 2) {
                throw new UsageException("replay needs letter ids, or --all");
            }
            List<Long> ids = new ArrayList<>();
            for (String s : a.positional.subList(1, a.positional.size())) {
                ids.add(id(s));
            }
            List<ReplayResult> results = store.replay(ids);
            boolean allOk = results.stream().allMatch(r -> r.outcome().isSuccess());
            if (json) {
                StringBuilder sb = new StringBuilder("{\"results\":[");
                for (int i = 0; i < results.size(); i++) {
                    ReplayResult r = results.get(i);
                    if (i > 0) {
                        sb.append(',');
                    }
                    sb.append("{\"id\":").append(r.id()).append(",\"source\":");
                    JsonText.quote(sb, r.source()).append(",\"outcome\":");
                    JsonText.quote(sb, r.outcome().code()).append(",\"detail\":");
                    JsonText.quote(sb, r.detail()).append(",\"reference\":");
                    JsonText.quote(sb, r.reference()).append('}');
                }
                out.println(sb.append("]}"));
            } else {
                for (ReplayResult r : results) {
                    out.println(r.id() + " " + r.outcome().code()
                            + (r.reference() != null ? " -> " + r.reference() : "")
                            + (r.detail() != null ? ": " + r.detail() : ""));
                }
            }
            if (!allOk) {
                long bad = results.stream().filter(r -> !r.outcome().isSuccess()).count();
                err.println("error: " + bad + " of " + results.size() + " letters were not replayed (see above); they stay stored");
                return FAILED;
            }
            return OK;
        }

        private int replayAll() {
            allowOnly("--all", "--source", "--kind", "--reason", "--since", "--until", "--rate", "--dry-run", "--batch");
            if (a.positional.size() > 1) {
                throw new UsageException("replay --all takes no ids, but got " + a.positional.subList(1, a.positional.size()));
            }
            ReplayAllRequest.Builder b = ReplayAllRequest.builder().filter(filter(DeadLetterQuery.builder()).build());
            if (a.value("--rate") != null) {
                b.ratePerSecond(a.number("--rate", 1));
            }
            if (a.value("--batch") != null) {
                b.batchSize((int) Math.min(1000, a.number("--batch", 1)));
            }
            b.dryRun(a.flag("--dry-run"));
            ReplayAllRequest request = b.build();
            ReplayAllRun run = store.startReplayAll(request);
            Thread hook = new Thread(() -> {
                run.cancel();
                try {
                    run.await(Duration.ofSeconds(10));
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
            }, "opskit-deadletter-cli-cancel");
            Runtime.getRuntime().addShutdownHook(hook);
            ReplayProgress p;
            try {
                do {
                    p = run.await(Duration.ofSeconds(2));
                    if (p.state() == ReplayProgress.State.RUNNING) {
                        err.println(progressLine(p, request.dryRun()));
                    }
                } while (p.state() == ReplayProgress.State.RUNNING);
            } catch (InterruptedException e) {
                run.cancel();
                Thread.currentThread().interrupt();
                throw new FailedException("interrupted; the run was cancelled");
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException ignored) {
                    // already shutting down
                }
            }
            if (json) {
                StringBuilder sb = new StringBuilder("{\"run_id\":").append(p.runId()).append(",\"dry_run\":")
                        .append(request.dryRun()).append(",\"state\":");
                JsonText.quote(sb, p.state().name().toLowerCase(Locale.ROOT));
                sb.append(",\"total\":").append(p.total()).append(",\"done\":").append(p.done()).append(",\"failed\":")
                        .append(p.failed()).append(",\"skipped\":").append(p.skipped()).append(",\"to_do\":").append(p.toDo())
                        .append('}');
                out.println(sb);
            } else {
                out.println(progressLine(p, request.dryRun()));
            }
            if (p.state() == ReplayProgress.State.FAILED) {
                throw new FailedException("replay-all run " + p.runId() + " stopped: "
                        + run.error().map(Throwable::getMessage).orElse("unknown error")
                        + "; run the same command again to resume it");
            }
            if (p.failed() > 0 && request.dryRun()) {
                err.println("error: " + p.failed() + " letters have no replay target; a real run would refuse them");
                return FAILED;
            }
            if (p.failed() > 0) {
                err.println("error: " + p.failed() + " letters were not replayed; they stay stored ("
                        + "see 'list' and 'show ID' for last_replay_error)");
                return FAILED;
            }
            return OK;
        }

        private static String progressLine(ReplayProgress p, boolean dryRun) {
            return (dryRun ? "dry run (nothing changed): " : "replay-all run " + p.runId() + ": ")
                    + p.state().name().toLowerCase(Locale.ROOT) + ", " + p.done() + (dryRun ? " would be replayed, " : " done, ")
                    + p.failed() + (dryRun ? " have no target, " : " failed, ") + p.toDo() + " to do"
                    + (p.skipped() > 0 ? ", " + p.skipped() + " skipped (taken by another replay or removed)" : "")
                    + " (of " + p.total() + ")";
        }

        private int cleanup() {
            allowOnly("--older-than");
            noArguments();
            Duration age = a.value("--older-than") == null ? Duration.ZERO : age("--older-than", a.value("--older-than"));
            long n = store.cleanupReplayed(age);
            print("removed", n, "replayed letters removed");
            return OK;
        }

        private int purge() {
            allowOnly("--older-than", "--keep");
            noArguments();
            if (a.value("--older-than") == null) {
                throw new UsageException("purge needs --older-than AGE (for example --older-than 7d)");
            }
            Duration age = age("--older-than", a.value("--older-than"));
            long n = store.purgeOlderThan(age);
            long capped = a.value("--keep") == null ? 0 : store.enforceCap(a.number("--keep", 0));
            if (json) {
                out.println("{\"purged_by_age\":" + n + ",\"purged_by_cap\":" + capped + "}");
            } else {
                out.println(n + " letters older than " + a.value("--older-than") + " purged"
                        + (a.value("--keep") == null ? "" : ", " + capped + " beyond the newest " + a.value("--keep") + " purged"));
            }
            return OK;
        }

        private int stats() {
            allowOnly();
            noArguments();
            List<SourceStats> stats = store.stats();
            if (json) {
                StringBuilder sb = new StringBuilder("{\"sources\":[");
                for (int i = 0; i < stats.size(); i++) {
                    SourceStats s = stats.get(i);
                    if (i > 0) {
                        sb.append(',');
                    }
                    sb.append("{\"source\":");
                    JsonText.quote(sb, s.source()).append(",\"waiting\":").append(s.waiting()).append(",\"replayed\":")
                            .append(s.replayed()).append(",\"oldest_waiting_died_at\":");
                    JsonText.quote(sb, s.oldestWaitingDiedAt() == null ? null : s.oldestWaitingDiedAt().toString());
                    sb.append(",\"replay_target\":").append(store.hasReplayTarget(s.source())).append('}');
                }
                out.println(sb.append("]}"));
            } else {
                List<String[]> rows = new ArrayList<>();
                rows.add(new String[] {"SOURCE", "WAITING", "REPLAYED", "OLDEST_WAITING", "TARGET"});
                long waiting = 0;
                for (SourceStats s : stats) {
                    waiting += s.waiting();
                    rows.add(new String[] {s.source(), String.valueOf(s.waiting()), String.valueOf(s.replayed()),
                            s.oldestWaitingDiedAt() == null ? "-" : s.oldestWaitingDiedAt().toString(),
                            store.hasReplayTarget(s.source()) ? "yes" : "NONE"});
                }
                table(rows);
                out.println(waiting + " letters waiting");
            }
            return OK;
        }

        private void noArguments() {
            if (a.positional.size() > 1) {
                throw new UsageException(a.command() + " takes no arguments, but got " + a.positional.subList(1, a.positional.size()));
            }
        }

        private void print(String key, long n, String text) {
            if (json) {
                out.println("{\"" + key + "\":" + n + "}");
            } else {
                out.println(n + " " + text);
            }
        }

        private static long id(String s) {
            try {
                long id = Long.parseLong(s);
                if (id < 1) {
                    throw new UsageException("letter id must be a positive number, but was '" + s + "'");
                }
                return id;
            } catch (NumberFormatException e) {
                throw new UsageException("letter id must be a number, but was '" + s + "'");
            }
        }

        private static String shortError(DeadLetter l) {
            String e = (l.errorType() == null ? "" : l.errorType().substring(l.errorType().lastIndexOf('.') + 1))
                    + (l.message() == null ? "" : ": " + l.message());
            e = e.replaceAll("\\s+", " ");
            return e.length() > 60 ? e.substring(0, 57) + "..." : e;
        }

        private void table(List<String[]> rows) {
            int[] w = new int[rows.get(0).length];
            for (String[] r : rows) {
                for (int i = 0; i < r.length; i++) {
                    w[i] = Math.max(w[i], r[i] == null ? 1 : r[i].length());
                }
            }
            for (String[] r : rows) {
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < r.length; i++) {
                    String cell = r[i] == null ? "-" : r[i];
                    sb.append(cell);
                    if (i < r.length - 1) {
                        sb.append(" ".repeat(w[i] - cell.length() + 2));
                    }
                }
                out.println(sb);
            }
        }

        private static void letterJson(StringBuilder sb, DeadLetter l, boolean full) {
            sb.append("{\"id\":").append(l.id()).append(",\"source\":");
            JsonText.quote(sb, l.source()).append(",\"kind\":");
            JsonText.quote(sb, l.kind()).append(",\"status\":");
            JsonText.quote(sb, l.status().code()).append(",\"reason\":");
            JsonText.quote(sb, l.reason().code()).append(",\"reason_detail\":");
            JsonText.quote(sb, l.reasonDetail()).append(",\"attempts\":").append(l.attempts()).append(",\"died_at\":");
            JsonText.quote(sb, str(l.diedAt())).append(",\"first_failed_at\":");
            JsonText.quote(sb, str(l.firstFailedAt())).append(",\"last_failed_at\":");
            JsonText.quote(sb, str(l.lastFailedAt())).append(",\"error_type\":");
            JsonText.quote(sb, l.errorType()).append(",\"cause_type\":");
            JsonText.quote(sb, l.causeType()).append(",\"message\":");
            JsonText.quote(sb, l.message()).append(",\"idempotency_key\":");
            JsonText.quote(sb, l.idempotencyKey()).append(",\"replay_of\":").append(l.replayOf())
                    .append(",\"replay_count\":").append(l.replayCount()).append(",\"last_replayed_at\":");
            JsonText.quote(sb, str(l.lastReplayedAt())).append(",\"last_replay_ref\":");
            JsonText.quote(sb, l.lastReplayRef()).append(",\"last_replay_error\":");
            JsonText.quote(sb, l.lastReplayError()).append(",\"headers\":").append(HeadersJson.stringMap(l.headers()))
                    .append(",\"error_history\":").append(l.errorHistory())
                    .append(",\"payload\":").append(l.payload());
            if (full) {
                sb.append(",\"stack_trace\":");
                JsonText.quote(sb, l.stackTrace());
            }
            sb.append('}');
        }

        private static @Nullable String str(@Nullable Instant t) {
            return t == null ? null : t.toString();
        }
    }
}
