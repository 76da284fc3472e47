package dev.opskit.core.shutdown;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs {@link ShutdownHookMain} in a child JVM and stops it with SIGTERM, as an orchestrator would. */
class GracefulShutdownProcessTest {
    private static final long GENEROUS_SECONDS = 90;

    @TempDir
    Path dir;

    @Test
    void sigtermRunsEveryPhaseInOrderLogsTheReportAndExitsWith143() throws Exception {
        Result result = startSignalAndWait("default");

        assertThat(result.exitCode).as("exit code; stderr:%n%s", result.stderr).isEqualTo(143);
        assertReportShowsEveryParticipantFinishedInPhaseOrder(result);
    }

    @Test
    void withAHaltStatusSigtermExitsWithThatStatusAfterTheReport() throws Exception {
        Result result = startSignalAndWait("0");

        assertThat(result.exitCode).as("exit code; stderr:%n%s", result.stderr).isEqualTo(0);
        assertReportShowsEveryParticipantFinishedInPhaseOrder(result);
    }

    private static void assertReportShowsEveryParticipantFinishedInPhaseOrder(Result result) {
        String report = result.stderr.lines()
                .filter(l -> l.contains("opskit graceful shutdown report:"))
                .findFirst().orElseThrow(() -> new AssertionError("no report logged; stderr:\n" + result.stderr));
        assertThat(report).contains("clean=true");
        int stop = report.indexOf("stop-http STOP_ACCEPTING FINISHED");
        int drain = report.indexOf("drain-jobs DRAIN FINISHED");
        int close = report.indexOf("close-pool CLOSE FINISHED");
        assertThat(stop).as(report).isNotNegative();
        assertThat(drain).as(report).isGreaterThan(stop);
        assertThat(close).as(report).isGreaterThan(drain);
        // the hook waited for the drain (it sleeps 300 ms) instead of letting the JVM die under it
        Matcher took = Pattern.compile("drain-jobs DRAIN FINISHED (\\d+)ms").matcher(report);
        assertThat(took.find()).isTrue();
        assertThat(Long.parseLong(took.group(1))).isGreaterThanOrEqualTo(300);
        assertThat(result.stdout).contains("stopped accepting", "closing pool");
    }

    private Result startSignalAndWait(String mode) throws Exception {
        Path out = dir.resolve("stdout.txt");
        Path err = dir.resolve("stderr.txt");
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        // Surefire may put only a manifest jar on java.class.path; surefire.test.class.path is the real one.
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process process = new ProcessBuilder(List.of(java, "-Xmx64m", "-XX:TieredStopAtLevel=1",
                "-cp", classpath, ShutdownHookMain.class.getName(), mode))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        try {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(GENEROUS_SECONDS);
            while (!read(out).contains("READY")) {
                if (!process.isAlive()) {
                    throw new AssertionError("child exited with " + process.exitValue() + " before READY; stderr:\n" + read(err));
                }
                if (System.nanoTime() > until) {
                    throw new AssertionError("child not READY within " + GENEROUS_SECONDS + " s; stderr:\n" + read(err));
                }
                Thread.sleep(50);
            }
            process.destroy(); // SIGTERM on Linux and macOS
            assertThat(process.waitFor(GENEROUS_SECONDS, TimeUnit.SECONDS))
                    .as("child exits after SIGTERM; stderr:%n%s", read(err)).isTrue();
            return new Result(process.exitValue(), read(out), read(err));
        } finally {
            process.destroyForcibly();
        }
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }

    private record Result(int exitCode, String stdout, String stderr) {
    }
}
