package dev.opskit.core.cli;

import dev.opskit.core.env.EnvSource;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvCliTest {
    private static final String SHORT_SECRET = "Qz7xWv9Kp2";
    private static final String GOOD_SECRET = "Hm4Rt8Ys1Lc6Nb3Vd5Fg0Jk2Pw7Xq9Za";
    private static final String EXAMPLE = "src/test/resources/env/example.requirements";
    private static final Map<String, String> COMPLETE_PROD = Map.of(
            "APP_ENV", "prod",
            "DATABASE_URL", "postgres://app@db:5432/app",
            "JWT_SECRET", GOOD_SECRET,
            "STRIPE_SECRET_KEY", GOOD_SECRET);

    @TempDir
    Path dir;

    @Test
    void exitsZeroAndPrintsTheReportWhenEverythingHolds() {
        Run run = run(COMPLETE_PROD, EXAMPLE);
        assertThat(run.status).isEqualTo(Command.OK);
        assertThat(run.out).startsWith("Environment requirements, environment 'prod' (from APP_ENV):")
                .contains("ok       JWT_SECRET (secret, 32 characters)", "ok       LOG_LEVEL = info (default)")
                .endsWith("OK: all 6 requirements hold.\n");
        assertThat(run.err).isEmpty();
    }

    @Test
    void exitsOneListingEveryProblemWithoutShowingSecrets() {
        Run run = run(Map.of("APP_ENV", "prod", "JWT_SECRET", SHORT_SECRET, "STRIPE_SECRET_KEY", SHORT_SECRET,
                "LOG_LEVEL", "loud"), EXAMPLE);
        assertThat(run.status).isEqualTo(EnvCli.NOT_MET);
        assertThat(run.out).contains(
                "PROBLEM  DATABASE_URL is missing",
                "PROBLEM  LOG_LEVEL is 'loud', but must be one of debug, info, warn, error",
                "PROBLEM  JWT_SECRET is too short: 10 characters, needs at least 32",
                "PROBLEM  STRIPE_SECRET_KEY is too short: 10 characters, needs at least 20")
                .endsWith("NOT OK: 4 problems.\n");
        assertNoPartOf(SHORT_SECRET, run.out + run.err);
    }

    @Test
    void envOptionChoosesTheEnvironment() {
        Map<String, String> dev = Map.of("APP_ENV", "dev", "DATABASE_URL", "postgres://db/app", "JWT_SECRET", GOOD_SECRET);
        assertThat(run(dev, EXAMPLE).status).isEqualTo(Command.OK);
        Run asProd = run(dev, "--env", "prod", EXAMPLE);
        assertThat(asProd.status).isEqualTo(EnvCli.NOT_MET);
        assertThat(asProd.out).contains("environment 'prod' (given)", "STRIPE_SECRET_KEY is missing");
        assertThat(run(dev, "--env=staging", EXAMPLE).status).isEqualTo(EnvCli.NOT_MET);
    }

    @Test
    void usageErrorsExitTwoAndSayWhatIsWrong() throws Exception {
        Path invalid = dir.resolve("invalid.requirements");
        Files.writeString(invalid, "JWT_SECRET secret min=32\nDATABASE_URL mandatory\n");
        assertUsage(run(COMPLETE_PROD, "--verbose", EXAMPLE), "unknown option '--verbose'");
        assertUsage(run(COMPLETE_PROD), "no requirements file given");
        assertUsage(run(COMPLETE_PROD, EXAMPLE, EXAMPLE), "exactly one requirements file expected");
        assertUsage(run(COMPLETE_PROD, "--env"), "--env needs a value");
        assertUsage(run(COMPLETE_PROD, "--env", "pre prod", EXAMPLE), "'pre prod'");
        assertUsage(run(COMPLETE_PROD, dir.resolve("missing").toString()), "cannot read requirements file");
        assertUsage(run(COMPLETE_PROD, invalid.toString()), "line 2: unknown option 'mandatory' for DATABASE_URL");
    }

    @Test
    void helpExitsZero() {
        Run run = run(Map.of(), "--help");
        assertThat(run.status).isEqualTo(Command.OK);
        assertThat(run.out).contains("Usage:", "Exit status: 0 all requirements hold, 1 a requirement is not met, 2 usage error.");
    }

    @Test
    void asAChildProcessItExitsZeroOneOrTwo() throws Exception {
        Child ok = child(COMPLETE_PROD, EXAMPLE);
        assertThat(ok.status).as(ok.out + ok.err).isEqualTo(0);
        assertThat(ok.out).contains("OK: all 6 requirements hold.");

        Map<String, String> tooShort = new java.util.HashMap<>(COMPLETE_PROD);
        tooShort.put("JWT_SECRET", SHORT_SECRET);
        tooShort.remove("DATABASE_URL");
        Child notMet = child(tooShort, EXAMPLE);
        assertThat(notMet.status).as(notMet.out + notMet.err).isEqualTo(1);
        assertThat(notMet.out).contains("DATABASE_URL is missing", "JWT_SECRET is too short: 10 characters, needs at least 32");
        assertNoPartOf(SHORT_SECRET, notMet.out + notMet.err);

        Child usage = child(COMPLETE_PROD, "--nonsense", EXAMPLE);
        assertThat(usage.status).as(usage.out + usage.err).isEqualTo(2);
        assertThat(usage.err).contains("unknown option '--nonsense'");
    }

    private static void assertNoPartOf(String secret, String output) {
        for (int i = 0; i + 4 <= secret.length(); i++) {
            assertThat(output).as("output must not contain any part of the secret").doesNotContain(secret.substring(i, i + 4));
        }
    }

    @Test
    void theLauncherRunsCheckAndRefusesAnythingElse() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertThat(new EnvCli().run(List.of("check", EXAMPLE), COMPLETE_PROD, o, e)).isEqualTo(Command.OK);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("OK: all 6 requirements hold.");
        assertThat(new EnvCli().run(List.of("verify", EXAMPLE), COMPLETE_PROD, o, e)).isEqualTo(Command.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown command 'verify'; the one command is 'check'");
        assertThat(new EnvCli().run(List.of(), COMPLETE_PROD, o, e)).isEqualTo(Command.USAGE);
    }

    private static void assertUsage(Run run, String message) {
        assertThat(run.status).as(run.err).isEqualTo(Command.USAGE);
        assertThat(run.err).contains(message).contains("Usage:");
        assertThat(run.out).isEmpty();
    }

    private static Run run(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = EnvCli.check(args, EnvSource.of(env),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Runs {@code opskit env check} in a JVM of its own (through the launcher) whose environment holds exactly {@code env}. */
    private Child child(Map<String, String> env, String... args) throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        List<String> command = new ArrayList<>(List.of(java, "-Xmx32m", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                Opskit.class.getName(), "env", "check"));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        try {
            assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("opskit env check finishes").isTrue();
            return new Child(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            p.destroyForcibly();
        }
    }

    private record Run(int status, String out, String err) {
    }

    private record Child(int status, String out, String err) {
    }
}
