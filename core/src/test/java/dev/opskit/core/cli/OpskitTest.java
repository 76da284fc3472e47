package dev.opskit.core.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OpskitTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private record Fake(String name, int code, List<List<String>> calls) implements Command {
        @Override
        public String summary() {
            return "the " + name + " command";
        }

        @Override
        public int run(List<String> args, Map<String, String> env, PrintStream o, PrintStream e) {
            calls.add(args);
            if (code < 0) {
                throw new IllegalStateException("boom");
            }
            return code;
        }
    }

    private int run(List<Command> commands, String... args) {
        return Opskit.run(commands, args, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void dispatchesToTheNamedCommandWithTheRestOfTheArguments() {
        Fake jobs = new Fake("jobs", 1, new java.util.ArrayList<>());
        assertThat(run(List.of(new Fake("env", 0, new java.util.ArrayList<>()), jobs), "jobs", "show", "7")).isEqualTo(1);
        assertThat(jobs.calls()).containsExactly(List.of("show", "7"));
    }

    @Test
    void helpListsTheCommandsAndAnUnknownOneIsAUsageError() {
        List<Command> commands = List.of(new Fake("jobs", 0, new java.util.ArrayList<>()), new Fake("env", 0, new java.util.ArrayList<>()));
        assertThat(run(commands, "--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("  env   the env command\n  jobs  the jobs command\n");
        assertThat(run(commands, "job")).isEqualTo(Command.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown command 'job'; one of env, jobs");
        assertThat(run(commands)).isEqualTo(Command.USAGE);
    }

    @Test
    void aCommandThatThrowsExitsWithOneAndSaysSoAndTwoWithTheSameNameAreRefused() {
        assertThat(run(List.of(new Fake("jobs", -1, new java.util.ArrayList<>())), "jobs")).isEqualTo(Command.FAILED);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("internal failure in 'opskit jobs'").contains("boom");
        assertThat(run(List.of(new Fake("jobs", 0, new java.util.ArrayList<>()), new Fake("jobs", 0, new java.util.ArrayList<>())), "jobs"))
                .isEqualTo(Command.FAILED);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("two commands named 'jobs'");
    }

    @Test
    void theServiceLoaderFindsCoresEnvCommand() {
        assertThat(Opskit.run(new String[] {"--help"}, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8))).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("  env  check [--env NAME] FILE");
    }

    @Test
    void argsReadFlagsOptionsAndAgesTheOneWay() {
        Args a = Args.parse(List.of("--json", "stuck", "--limit=5", "--older-than", "15m", "-3"), Set.of("--json"),
                Set.of("--limit", "--older-than"));
        assertThat(a.has("--json")).isTrue();
        assertThat(a.value("--limit", "100")).isEqualTo("5");
        assertThat(a.positional()).containsExactly("stuck", "-3");
        assertThat(Args.age("--older-than", a.value("--older-than", null))).isEqualTo(Duration.ofMinutes(15));
        assertThatThrownBy(() -> Args.parse(List.of("--limit"), Set.of(), Set.of("--limit"))).hasMessage("--limit needs a value");
        assertThatThrownBy(() -> Args.parse(List.of("--verbose=1"), Set.of(), Set.of())).hasMessage("unknown option --verbose");
        assertThatThrownBy(() -> Args.age("--older-than", "7")).hasMessageContaining("must be an age like 30s");
        assertThatThrownBy(() -> Args.number("--limit", "0", 1)).hasMessage("--limit must be at least 1, but was 0");
        assertThatThrownBy(() -> Args.number("--limit", "x", 1)).hasMessage("--limit must be a whole number, but was 'x'");
    }

    @Test
    void aMissingOrUnknownSubcommandIsWordedAlikeByEveryCommand() {
        assertThat(Args.subcommand("stuck", List.of("counts", "stuck"))).isEqualTo("stuck");
        assertThatThrownBy(() -> Args.subcommand(null, List.of("counts", "stuck")))
                .isInstanceOf(Args.UsageException.class).hasMessage("no command given; one of counts, stuck");
        assertThatThrownBy(() -> Args.subcommand("stcuk", List.of("counts", "stuck")))
                .hasMessage("unknown command 'stcuk'; one of counts, stuck");
        assertThatThrownBy(() -> Args.subcommand("verify", List.of("check")))
                .hasMessage("unknown command 'verify'; the one command is 'check'");
    }

    @Test
    void helpIsAskedForWithDashDashHelpOrDashH() {
        Set<String> flags = Set.of("--help", "-h", "--json");
        assertThat(Args.parse(List.of("counts", "-h"), flags, Set.of()).wantsHelp()).isTrue();
        assertThat(Args.parse(List.of("--help"), flags, Set.of()).wantsHelp()).isTrue();
        assertThat(Args.parse(List.of("counts", "--json"), flags, Set.of()).wantsHelp()).isFalse();
        assertThat(Args.isHelp("-h")).isTrue();
        assertThat(Args.isHelp("help")).isFalse();
    }

    @Test
    void aUsageErrorPrintsTheProblemThenTheWholeUsageEndedByOneLineBreak() {
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertThat(Command.usageError(e, "error: no PATH", "usage: x\n")).isEqualTo(Command.USAGE);
        assertThat(Command.usageError(e, "x: no FILE", "Usage: x FILE")).isEqualTo(Command.USAGE);
        String n = System.lineSeparator();
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("error: no PATH" + n + "usage: x\n" + "x: no FILE" + n + "Usage: x FILE" + n);
    }

    @Test
    void theDatabaseUrlIsTheUrlOptionElseDatabaseUrlAndNeverBlank() {
        Set<String> valued = Set.of("--url");
        Map<String, String> env = Map.of("DATABASE_URL", "postgres://from-env/db");
        assertThat(CommandDatabase.url(Args.parse(List.of("--url", "postgres://given/db"), Set.of(), valued), env))
                .isEqualTo("postgres://given/db");
        assertThat(CommandDatabase.url(Args.parse(List.of(), Set.of(), valued), env)).isEqualTo("postgres://from-env/db");
        assertThatThrownBy(() -> CommandDatabase.url(Args.parse(List.of("--url="), Set.of(), valued), env))
                .isInstanceOf(Args.UsageException.class).hasMessage("no database: set DATABASE_URL or pass --url");
        assertThatThrownBy(() -> CommandDatabase.url(Args.parse(List.of(), Set.of(), valued), Map.of()))
                .hasMessage("no database: set DATABASE_URL or pass --url");
    }

    @Test
    void aFailureIsReportedWithoutThePasswordAndMappedToItsExitCode() {
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        String url = "postgres://ops:hunter2@localhost:1/db";
        assertThat(CommandDatabase.failure(new Args.UsageException("bad --limit"), url, "run 'x --help'", e)).isEqualTo(Command.USAGE);
        assertThat(CommandDatabase.failure(new IllegalArgumentException("bad schema"), null, "run 'x --help'", e)).isEqualTo(Command.USAGE);
        assertThat(CommandDatabase.failure(new IllegalStateException("no route to " + url), url, "run 'x --help'", e))
                .isEqualTo(Command.FAILED);
        assertThat(err.toString(StandardCharsets.UTF_8).lines()).containsExactly("error: bad --limit", "run 'x --help'",
                "error: bad schema", "error: no route to postgres://ops:***@localhost:1/db");
    }
}
